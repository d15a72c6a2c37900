# elbship: one plain Makefile (see docs/design.md "Build").
#
#   make              release build: build/release/elbship
#   make test         whole suite (release + ASan/UBSan builds, unit, golden, CLI, fuzz smoke);
#                     installs nothing (./dev.sh test installs, then runs it)
#   make asan         sanitizer build: build/asan/elbship
#   make fuzz         longer libFuzzer runs (FUZZ_SECONDS per target, default 60)
#   make bench        benchmarks (bench/run.sh); never part of `make test`
#   make package      the Lambda zip: dist/elbship-VERSION-lambda-ARCH.zip
#                     (PACKAGE_ARCH=x86_64 or arm64)
#   make clean
#
# Every .c under src/ except src/cli/ goes into libelbship.a; tests/unit/test_X.c
# each become one test binary linked against it, so adding a module or a test
# never needs an edit here.

CC       ?= cc
VARIANT  ?= release
O        := build/$(VARIANT)

# X.Y.Z (a release: the commit tagged vX.Y.Z) or X.Y.Z-dev.gHASH[.dirty]
# (scripts/version.sh, from the VERSION file and git)
VERSION  := $(shell scripts/version.sh 2>/dev/null || echo 0.0.0-unknown)

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wformat=2 -Wno-format-nonliteral
CSTD     := -std=c11 -D_GNU_SOURCE
INC      := -Isrc
LIBS     := -lcurl -lexpat -lisal -ljansson -lcrypto -lz -lpthread -lm

ifeq ($(VARIANT),release)
OPT      := -O2 -g
else ifeq ($(VARIANT),asan)
OPT      := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
LDSAN    := -fsanitize=address,undefined
else ifeq ($(VARIANT),debug)
OPT      := -O0 -g
endif

CFLAGS   += $(CSTD) $(WARN) $(OPT) $(INC) -MMD -MP
LDFLAGS  += $(LDSAN)

LIB_SRC  := $(sort $(shell find src -name '*.c' ! -path 'src/cli/*'))
CLI_SRC  := $(sort $(wildcard src/cli/*.c))
TEST_SRC := $(sort $(wildcard tests/unit/test_*.c))
TOOL_SRC := $(sort $(wildcard tests/tools/*.c))

LIB_OBJ  := $(LIB_SRC:%.c=$(O)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(O)/%.o)
TESTS    := $(TEST_SRC:tests/unit/%.c=$(O)/tests/%)
TOOLS    := $(TOOL_SRC:tests/tools/%.c=$(O)/tools/%)

.PHONY: all elbship tests tools test asan fuzz fuzz-smoke bench clean demo \
	package package-deps package-test print-cflags

PACKAGE_ARCH ?= x86_64

all: $(O)/elbship

elbship: $(O)/elbship

$(O)/libelbship.a: $(LIB_OBJ)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

$(O)/elbship: $(CLI_OBJ) $(O)/libelbship.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

# The version string is compiled into one object only.
$(O)/src/cli/version.o: CFLAGS += -DELBSHIP_VERSION='"$(VERSION)"'
$(O)/src/cli/version.o: .FORCE
.FORCE:

$(O)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(O)/tests/%: tests/unit/%.c $(O)/libelbship.a tests/unit/tap.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(O)/libelbship.a $(LIBS)

$(O)/tools/%: tests/tools/%.c $(O)/libelbship.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(O)/libelbship.a $(LIBS)

tests: $(TESTS)
tools: $(TOOLS)

asan:
	$(MAKE) VARIANT=asan all tests tools

test:
	tests/run.sh

demo: all
	scripts/demo.sh $(O)/elbship

fuzz:
	fuzz/run.sh long

fuzz-smoke:
	fuzz/run.sh smoke

bench: all
	bench/run.sh

package:
	scripts/package.sh --arch $(PACKAGE_ARCH)

package-deps:
	scripts/package-deps.sh $(PACKAGE_ARCH)

package-test:
	tests/package/run.sh

# The compile flags without the optimisation and dependency ones, for
# tests/headers/run.sh (each header compiled on its own).
print-cflags:
	@echo $(CSTD) $(WARN) $(INC)

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)
