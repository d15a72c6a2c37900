/*
 * test_state.c: the --state resume file (core/state.h) and the backfill's
 * filters (core/s3scan.h).  Any key is one record, whatever it holds (a
 * newline, '%', spaces, UTF-8); a torn last line is ignored and cut off
 * before the next append; a file of the old plain format is read and
 * converted; the filters take what ship and enqueue take.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/s3scan.h"
#include "core/state.h"
#include "tap.h"

static char dir[] = "/tmp/elbship-test-state-XXXXXX";
static char path[256];
static char err[512];

static char *
slurp(const char *p)
{
	static char b[65536];
	FILE *f = fopen(p, "r");
	size_t n = f ? fread(b, 1, sizeof(b) - 1, f) : 0;

	if (f)
		fclose(f);
	b[n] = '\0';
	return b;
}

static void
spit(const char *p, const char *s)
{
	FILE *f = fopen(p, "w");

	fputs(s, f);
	fclose(f);
}

static void
test_state(void)
{
	static const char *const keys[] = {
		"AWSLogs/a\nb.log",		/* a newline */
		"AWSLogs/a",			/* what the newline key was cut into */
		"b.log",
		"dir/100% done.log",
		"dir/%41.log",			/* not "A.log" */
		"dir/A.log",
		("caf\xc3\xa9/\xc3\xbcn\xc3\xaf" "code +=&?.log"),
		"tab\there\rcr.log",
		" lead and trail ",
	};
	size_t nk = sizeof(keys) / sizeof(keys[0]), i;
	struct state *st;
	int all;

	snprintf(path, sizeof(path), "%s/state", dir);
	st = state_open(path, err, sizeof(err));
	ok(st != NULL, "a missing state file is created");
	is_str(slurp(path), STATE_HEADER, "a new file holds the header only");
	/* Every other key recorded. */
	for (i = 0; i < nk; i += 2)
		ok(state_record(st, "logs", keys[i], err, sizeof(err)) == 0,
		    "record key %zu", i);
	state_free(st);

	st = state_open(path, err, sizeof(err));
	ok(st != NULL, "reopened");
	is_int(state_count(st), (nk + 1) / 2, "every record read back once");
	all = 1;
	for (i = 0; i < nk; i++)
		if (state_has(st, "logs", keys[i]) != (i % 2 == 0))
			all = 0, printf("#   key %zu wrong\n", i);
	ok(all, "exactly the recorded keys are done (newline, %%, spaces, "
	    "UTF-8, controls)");
	ok(!state_has(st, "other", keys[0]), "the bucket is part of the record");
	ok(strstr(slurp(path), "logs/AWSLogs/a%0Ab.log\n") != NULL,
	    "a newline is %%0A in the file");
	ok(strstr(slurp(path), "logs/dir/%2541.log\n") != NULL,
	    "a '%%' is %%25 in the file");
	ok(strstr(slurp(path), "caf\xc3\xa9/") != NULL, "UTF-8 is kept readable");
	/* Recording a key twice writes nothing. */
	{
		size_t before = strlen(slurp(path));

		state_record(st, "logs", keys[0], err, sizeof(err));
		is_int(strlen(slurp(path)), before, "a key recorded twice is "
		    "one line");
	}
	state_free(st);

	/* A torn last line: ignored, cut off, the next record is whole. */
	{
		int fd = open(path, O_WRONLY | O_APPEND);

		ok(write(fd, "logs/AWSLogs/torn", 17) == 17, "torn line written");
		close(fd);
	}
	st = state_open(path, err, sizeof(err));
	ok(st != NULL && !state_has(st, "logs", "AWSLogs/torn") &&
	    !state_has(st, "logs", "AWSLogs/tor"), "a torn last line is ignored");
	ok(state_record(st, "logs", "next.log", err, sizeof(err)) == 0,
	    "record after a torn line");
	state_free(st);
	st = state_open(path, err, sizeof(err));
	ok(st != NULL && state_has(st, "logs", "next.log") &&
	    state_count(st) == (nk + 1) / 2 + 1,
	    "the record after a torn line reads back whole");
	ok(strstr(slurp(path), "torn") == NULL, "the torn line is gone");
	state_free(st);

	/* The plain format of earlier versions. */
	spit(path, "logs/old one.log\nlogs/old%41.log\nlogs/torn");
	st = state_open(path, err, sizeof(err));
	ok(st != NULL && state_count(st) == 2 &&
	    state_has(st, "logs", "old one.log") &&
	    state_has(st, "logs", "old%41.log") &&
	    !state_has(st, "logs", "oldA.log"),
	    "an old plain file is read as raw lines");
	ok(strncmp(slurp(path), STATE_HEADER, strlen(STATE_HEADER)) == 0 &&
	    strstr(slurp(path), "logs/old%20one.log\n") != NULL,
	    "and rewritten in the new format");
	state_record(st, "logs", "new.log", err, sizeof(err));
	state_free(st);
	st = state_open(path, err, sizeof(err));
	ok(st != NULL && state_count(st) == 3 &&
	    state_has(st, "logs", "old%41.log"), "converted file reads back");
	state_free(st);
	unlink(path);

	/* A line decoding to a NUL names no object. */
	spit(path, STATE_HEADER "logs/a%00b\nlogs/c\n");
	st = state_open(path, err, sizeof(err));
	ok(st != NULL && state_count(st) == 1, "a %%00 line is ignored");
	state_free(st);
	unlink(path);

	ok(state_open("/nonexistent-dir/x/state", err, sizeof(err)) == NULL &&
	    strstr(err, "/nonexistent-dir/x/state") != NULL,
	    "an unwritable path is an error naming it");
	{
		char b[64];

		is_int(state_encode("a %\n", 4, b, sizeof(b)), 10, "encode length");
		is_str(b, "a%20%25%0A", "encode");
		is_int(state_decode(b), 4, "decode length");
		ok(memcmp(b, "a %\n", 5) == 0, "decode round trip");
	}
}

#define ALB "AWSLogs/111122223333/elasticloadbalancing/eu-west-1/2025/11/03/" \
	"111122223333_elasticloadbalancing_eu-west-1_app.shop-alb." \
	"1a2b3c4d5e6f7a8b_20251103T1020Z_10.0.4.17_3kq9zz1p.log.gz"
#define CLB "x/111122223333_elasticloadbalancing_eu-west-1_web-clb_" \
	"20240601T0805Z_198.51.100.10_1a2b3c4d.log"

static void
test_filters(void)
{
	struct s3scan sc;
	struct state *st;
	char t[16];

	ok(s3scan_norm_time("2025-11-03", t) == 0, "date");
	is_str(t, "20251103T0000Z", "date normalised");
	ok(s3scan_norm_time("2025-11-03T10:20Z", t) == 0 &&
	    strcmp(t, "20251103T1020Z") == 0, "date and time");
	ok(s3scan_norm_time("20251103T1020Z", t) == 0 &&
	    strcmp(t, "20251103T1020Z") == 0, "ELB form");
	ok(s3scan_norm_time("2025-11", t) != 0, "a month alone is refused");
	ok(s3scan_norm_time("yesterday", t) != 0, "words are refused");
	ok(s3scan_lb_matches(SLICE_LIT("app.shop-alb.1a2b3c4d5e6f7a8b"),
	    "shop-alb"), "--lb matches an ALB name");
	ok(!s3scan_lb_matches(SLICE_LIT("app.shop-alb.1a2b3c4d5e6f7a8b"),
	    "shop"), "--lb is the whole name");
	ok(s3scan_lb_matches(SLICE_LIT("web-clb"), "web-clb"), "a CLB name");

	ok(s3scan_init(&sc, "logs", NULL, NULL, NULL, LB_UNKNOWN, err,
	    sizeof(err)) == 0, "no filters");
	ok(s3scan_wanted(&sc, ALB) && s3scan_wanted(&sc, CLB),
	    "ELB logs are wanted");
	ok(!s3scan_wanted(&sc, "AWSLogs/ELBAccessLogTestFile") &&
	    !s3scan_wanted(&sc, "x/notes.txt") && !s3scan_wanted(&sc, "x/"),
	    "other objects are not");
	ok(s3scan_init(&sc, "logs", "2025-11-03T10:20Z", "2025-11-04", NULL,
	    LB_UNKNOWN, err, sizeof(err)) == 0, "--since --until");
	ok(s3scan_wanted(&sc, ALB) && !s3scan_wanted(&sc, CLB),
	    "--since is inclusive, older files are out");
	ok(s3scan_init(&sc, "logs", NULL, "2025-11-03T10:20Z", NULL,
	    LB_UNKNOWN, err, sizeof(err)) == 0 && !s3scan_wanted(&sc, ALB),
	    "--until is exclusive");
	ok(s3scan_init(&sc, "logs", NULL, NULL, "web-clb", LB_UNKNOWN, err,
	    sizeof(err)) == 0 && s3scan_wanted(&sc, CLB) &&
	    !s3scan_wanted(&sc, ALB), "--lb");
	ok(s3scan_init(&sc, "logs", NULL, NULL, NULL, LB_ALB, err,
	    sizeof(err)) == 0 && !s3scan_wanted(&sc, CLB) &&
	    s3scan_wanted(&sc, ALB), "--type");
	ok(s3scan_init(&sc, "logs", "soon", NULL, NULL, LB_UNKNOWN, err,
	    sizeof(err)) != 0 && strstr(err, "--since") != NULL,
	    "a bad --since is an error naming it");

	snprintf(path, sizeof(path), "%s/state2", dir);
	st = state_open(path, err, sizeof(err));
	state_record(st, "logs", CLB, err, sizeof(err));
	s3scan_init(&sc, "logs", NULL, NULL, NULL, LB_UNKNOWN, err, sizeof(err));
	sc.state = st;
	ok(s3scan_check(&sc, ALB) == S3SCAN_TAKE, "check: take");
	ok(s3scan_check(&sc, CLB) == S3SCAN_DONE, "check: done per state");
	ok(s3scan_check(&sc, "x/readme") == S3SCAN_OTHER, "check: other");
	ok(sc.wanted == 2 && sc.done == 1 && sc.other == 1, "check: counts");
	state_free(st);
	unlink(path);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	test_state();
	test_filters();
	rmdir(dir);
	return tap_done();
}
