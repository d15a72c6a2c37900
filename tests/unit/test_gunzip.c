/*
 * test_gunzip.c: unit tests for src/decode/gunzip.c.
 *
 * All gzip input is made here: with ISA-L's deflate (IGZIP_GZIP for whole
 * members, IGZIP_DEFLATE plus a hand-built header and trailer where the
 * header needs optional fields), plus one member made by GNU gzip, embedded
 * as bytes, so that we do not only read what isal writes.  Every input chunk
 * is copied into its own exactly-sized heap buffer that is freed as soon as
 * the decoder asks for more input, and every output buffer is exactly ${cap}
 * bytes, so that ASan catches a decoder that keeps pointers into old chunks
 * or writes past the space it was given.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <isa-l/crc.h>
#include <isa-l/igzip_lib.h>

#include "decode/gunzip.h"
#include "tap.h"

/* "name test line 1\nname test line 2\n" compressed by GNU gzip (FNAME set). */
static const uint8_t gnu_gz[] = {
	0x1f, 0x8b, 0x08, 0x08, 0x4b, 0xe3, 0x08, 0x6b, 0x00, 0x03, 0x6e, 0x61,
	0x6d, 0x65, 0x64, 0x2e, 0x74, 0x78, 0x74, 0x00, 0xcb, 0x4b, 0xcc, 0x4d,
	0x55, 0x28, 0x49, 0x2d, 0x2e, 0x51, 0xc8, 0xc9, 0xcc, 0x4b, 0x55, 0x30,
	0xe4, 0xca, 0x43, 0x15, 0x30, 0xe2, 0x02, 0x00, 0x33, 0xdb, 0xb0, 0x83,
	0x22, 0x00, 0x00, 0x00
};
static const char gnu_txt[] = "name test line 1\nname test line 2\n";

/* A growable byte buffer. */
struct buf {
	uint8_t *p;
	size_t n, cap;
};

static void
buf_put(struct buf *b, const void *p, size_t n)
{

	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2 + 64;
		if ((b->p = realloc(b->p, b->cap)) == NULL) {
			perror("realloc");
			exit(2);
		}
	}
	if (n > 0)
		memcpy(b->p + b->n, p, n);
	b->n += n;
}

static void
buf_free(struct buf *b)
{

	free(b->p);
	b->p = NULL;
	b->n = b->cap = 0;
}

/* xorshift64*: deterministic pseudo-random numbers. */
static uint64_t
rnd(uint64_t *s)
{

	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

/* Fill ${p} with ${n} bytes of ALB-like log lines. */
static void
make_text(uint8_t *p, size_t n, uint64_t seed)
{
	static const char *const verbs[] = { "GET", "POST", "PUT", "HEAD" };
	char line[512];
	size_t off = 0, k;
	int len;
	uint64_t r;

	while (off < n) {
		r = rnd(&seed);
		len = snprintf(line, sizeof(line), "https 2024-05-%02u"
		    "T%02u:%02u:%02u.%06uZ app/my-lb/50dc6c495c0c9188 "
		    "10.0.%u.%u:%u 10.1.%u.%u:80 0.%03u 0.%03u 0.000 %u %u "
		    "%u %u \"%s https://example.com:443/api/v1/items/%u "
		    "HTTP/1.1\" \"curl/8.%u.0\" ECDHE-RSA-AES128-GCM-SHA256 "
		    "TLSv1.2\n", (unsigned)(r % 28 + 1),
		    (unsigned)(r >> 8) % 24, (unsigned)(r >> 13) % 60,
		    (unsigned)(r >> 19) % 60, (unsigned)(r >> 25) % 1000000,
		    (unsigned)(r >> 30) % 256, (unsigned)(r >> 38) % 256,
		    (unsigned)(r >> 46) % 65536, (unsigned)(r >> 3) % 256,
		    (unsigned)(r >> 11) % 256, (unsigned)(r >> 17) % 1000,
		    (unsigned)(r >> 27) % 1000,
		    (r & 7) ? 200u : 404u, (r & 7) ? 200u : 404u,
		    (unsigned)(r >> 33) % 5000, (unsigned)(r >> 40) % 90000,
		    verbs[(r >> 60) & 3], (unsigned)(r >> 20) % 100000,
		    (unsigned)(r >> 50) % 10);
		k = (size_t)len;
		if (k > n - off)
			k = n - off;
		memcpy(p + off, line, k);
		off += k;
	}
}

/* Fill ${p} with ${n} incompressible bytes. */
static void
make_noise(uint8_t *p, size_t n, uint64_t seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(rnd(&seed) >> 56);
}

/*
 * Deflate ${n} bytes at ${in} with isal (gzip_flag ${flag}, level ${level})
 * and append the result to ${b}.
 */
static void
isal_compress(struct buf *b, const void *in, size_t n, int flag, int level)
{
	struct isal_zstream *s;
	uint8_t *lvl = NULL, *out;
	size_t cap = n + n / 8 + 1024;

	if ((s = malloc(sizeof(*s))) == NULL || (out = malloc(cap)) == NULL) {
		perror("malloc");
		exit(2);
	}
	isal_deflate_init(s);
	s->gzip_flag = (uint16_t)flag;
	s->level = (uint32_t)level;
	if (level > 0) {
		if ((lvl = malloc(ISAL_DEF_LVL1_DEFAULT)) == NULL) {
			perror("malloc");
			exit(2);
		}
		s->level_buf = lvl;
		s->level_buf_size = ISAL_DEF_LVL1_DEFAULT;
	}
	s->end_of_stream = 1;
	s->flush = NO_FLUSH;
	s->next_in = (uint8_t *)(uintptr_t)in;
	s->avail_in = (uint32_t)n;
	s->next_out = out;
	s->avail_out = (uint32_t)cap;
	while (s->internal_state.state != ZSTATE_END) {
		if (isal_deflate(s) != COMP_OK || s->avail_out == 0) {
			fprintf(stderr, "isal_deflate failed\n");
			exit(2);
		}
	}
	buf_put(b, out, s->total_out);
	free(lvl);
	free(out);
	free(s);
}

/* Append a gzip member of ${n} bytes at ${in}, made by isal. */
static void
gz_member(struct buf *b, const void *in, size_t n)
{

	isal_compress(b, in, n, IGZIP_GZIP, 1);
}

static void
put_le32(uint8_t *p, uint32_t v)
{

	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/*
 * Append a gzip member with every optional header field (FEXTRA, FNAME,
 * FCOMMENT, FHCRC); if ${bad_hcrc}, the header CRC is wrong.
 */
static void
gz_member_fancy(struct buf *b, const void *in, size_t n, int bad_hcrc)
{
	static const uint8_t fixed[10] = {
		0x1f, 0x8b, 8, 0x02 | 0x04 | 0x08 | 0x10, 1, 2, 3, 4, 0, 3
	};
	static const uint8_t extra[] = { 6, 0, 'A', 'W', 2, 0, 'h', 'i' };
	static const char name[] = "access.log";
	static const char comment[] = "a comment";
	size_t start = b->n;
	uint32_t crc;
	uint8_t t[8];

	buf_put(b, fixed, sizeof(fixed));
	buf_put(b, extra, sizeof(extra));
	buf_put(b, name, sizeof(name));		/* with its NUL */
	buf_put(b, comment, sizeof(comment));	/* with its NUL */
	crc = crc32_gzip_refl(0, b->p + start, b->n - start);
	if (bad_hcrc)
		crc ^= 1;
	t[0] = (uint8_t)crc;
	t[1] = (uint8_t)(crc >> 8);
	buf_put(b, t, 2);
	isal_compress(b, in, n, IGZIP_DEFLATE, 1);
	put_le32(t, crc32_gzip_refl(0, in, n));
	put_le32(t + 4, (uint32_t)n);
	buf_put(b, t, 8);
}

/* The outcome of decoding one stream. */
struct result {
	int rc;			/* 0 ok, 1 GUNZIP_ERR, 2 gunzip_finish failed */
	int bad_api;		/* broken contract (e.g. got > cap) */
	struct buf out;
	unsigned long members;
	uint64_t total_in, total_out;
	char err[512];
};

/*
 * Decode ${n} bytes at ${gz}, in input chunks of ${chunk} bytes (0: all at
 * once) and output pieces of at most ${cap} bytes, into ${r}.  If ${z} is
 * NULL a fresh decoder is used.
 */
static void
run_z(struct gunzip *z, const uint8_t *gz, size_t n, size_t chunk, size_t cap,
    struct result *r)
{
	struct gunzip *mine = NULL;
	uint8_t *in, *out;
	size_t off = 0, k, got;
	int rc;

	memset(r, 0, sizeof(*r));
	if (z == NULL && (z = mine = gunzip_new()) == NULL) {
		perror("gunzip_new");
		exit(2);
	}
	if ((out = malloc(cap)) == NULL) {
		perror("malloc");
		exit(2);
	}
	if (chunk == 0)
		chunk = n > 0 ? n : 1;
	do {
		k = n - off < chunk ? n - off : chunk;
		if ((in = malloc(k > 0 ? k : 1)) == NULL) {
			perror("malloc");
			exit(2);
		}
		if (k > 0)
			memcpy(in, gz + off, k);
		off += k;
		gunzip_input(z, in, k);
		do {
			got = (size_t)-1;
			rc = gunzip_output(z, out, cap, &got);
			if (got > cap) {
				r->bad_api = 1;
				got = 0;
			}
			buf_put(&r->out, out, got);
		} while (rc == GUNZIP_OK);
		free(in);
		if (rc == GUNZIP_ERR) {
			r->rc = 1;
			break;
		}
		if (rc != GUNZIP_NEED_INPUT)
			r->bad_api = 1;
	} while (off < n);
	if (r->rc == 0 && gunzip_finish(z) != 0)
		r->rc = 2;
	if (r->rc != 0)
		snprintf(r->err, sizeof(r->err), "%s", gunzip_error(z));
	r->members = gunzip_members(z);
	r->total_in = gunzip_total_in(z);
	r->total_out = gunzip_total_out(z);
	free(out);
	gunzip_free(mine);
}

static void
run(const uint8_t *gz, size_t n, size_t chunk, size_t cap, struct result *r)
{

	run_z(NULL, gz, n, chunk, cap, r);
}

/* Does ${r} hold exactly ${want} (${wn} bytes), with rc ${rc}? */
static int
out_is(const struct result *r, int rc, const void *want, size_t wn)
{

	return (r->rc == rc && !r->bad_api && r->out.n == wn &&
	    (wn == 0 || memcmp(r->out.p, want, wn) == 0));
}

/* A five-member stream and what it decodes to. */
struct multi {
	struct buf gz, plain;
	size_t start[6];	/* offset of each member; start[5] = end */
	size_t plen[5];		/* plain length of each member */
};

static void
make_multi(struct multi *m)
{
	static const size_t sizes[5] = { 100000, 0, 1, 70000, 5000 };
	uint8_t *p;
	size_t i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < 5; i++) {
		if ((p = malloc(sizes[i] + 1)) == NULL) {
			perror("malloc");
			exit(2);
		}
		if (i == 3)
			make_noise(p, sizes[i], 7);	/* stored blocks */
		else
			make_text(p, sizes[i], 100 + i);
		m->start[i] = m->gz.n;
		m->plen[i] = sizes[i];
		if (i == 4)
			gz_member_fancy(&m->gz, p, sizes[i], 0);
		else
			gz_member(&m->gz, p, sizes[i]);
		buf_put(&m->plain, p, sizes[i]);
		free(p);
	}
	m->start[5] = m->gz.n;
}

static void
test_magic(void)
{
	static const uint8_t yes[] = { 0x1f, 0x8b, 0x08 };
	static const uint8_t no[] = { 0x1f, 0x8c };

	is_int(gunzip_magic(yes, 3), 1, "gunzip_magic: 1f 8b 08");
	is_int(gunzip_magic(yes, 2), 1, "gunzip_magic: exactly 1f 8b");
	is_int(gunzip_magic(yes, 1), 0, "gunzip_magic: n = 1");
	is_int(gunzip_magic(yes, 0), 0, "gunzip_magic: n = 0");
	is_int(gunzip_magic(no, 2), 0, "gunzip_magic: 1f 8c");
	is_int(gunzip_magic("BZh9", 4), 0, "gunzip_magic: bzip2");
}

static void
test_single(void)
{
	struct buf gz = { 0 };
	struct result r;
	uint8_t text[5000];

	make_text(text, sizeof(text), 1);
	gz_member(&gz, text, sizeof(text));
	run(gz.p, gz.n, 0, 1 << 16, &r);
	ok(out_is(&r, 0, text, sizeof(text)), "single member: exact output");
	is_int(r.members, 1, "single member: 1 member");
	is_int(r.total_in, gz.n, "single member: total_in");
	is_int(r.total_out, sizeof(text), "single member: total_out");
	buf_free(&r.out);

	run(gnu_gz, sizeof(gnu_gz), 0, 4096, &r);
	ok(out_is(&r, 0, gnu_txt, strlen(gnu_txt)),
	    "GNU gzip member with FNAME: exact output");
	buf_free(&r.out);
	run(gnu_gz, sizeof(gnu_gz), 1, 1, &r);
	ok(out_is(&r, 0, gnu_txt, strlen(gnu_txt)),
	    "GNU gzip member, 1-byte input and output: exact output");
	buf_free(&r.out);
	buf_free(&gz);
}

static void
test_multi(void)
{
	static const size_t chunks[] = { 0, 1, 2, 3, 7, 8, 9, 10, 64, 4093 };
	static const size_t caps[] = { 1, 3, 4096, 1 << 20 };
	struct multi m;
	struct result r;
	size_t i, j;
	int good;

	make_multi(&m);
	run(m.gz.p, m.gz.n, 0, 1 << 20, &r);
	ok(out_is(&r, 0, m.plain.p, m.plain.n),
	    "5 members (one empty, one stored, one with all header fields), "
	    "whole input: exact output");
	is_int(r.members, 5, "5 members: gunzip_members");
	is_int(r.total_in, m.gz.n, "5 members: total_in");
	is_int(r.total_out, m.plain.n, "5 members: total_out");
	buf_free(&r.out);

	run(m.gz.p, m.gz.n, 1, 1 << 16, &r);
	ok(out_is(&r, 0, m.plain.p, m.plain.n) && r.members == 5,
	    "5 members, 1-byte input chunks: exact output");
	buf_free(&r.out);

	run(m.gz.p, m.gz.n, 0, 1, &r);
	ok(out_is(&r, 0, m.plain.p, m.plain.n) && r.members == 5,
	    "5 members, 1-byte output capacity: exact output");
	buf_free(&r.out);

	run(m.gz.p, m.gz.n, 1, 1, &r);
	ok(out_is(&r, 0, m.plain.p, m.plain.n) && r.members == 5,
	    "5 members, 1-byte input and 1-byte output: exact output");
	buf_free(&r.out);

	good = 1;
	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		for (j = 0; j < sizeof(caps) / sizeof(caps[0]); j++) {
			run(m.gz.p, m.gz.n, chunks[i], caps[j], &r);
			if (!out_is(&r, 0, m.plain.p, m.plain.n) ||
			    r.members != 5 || r.total_in != m.gz.n) {
				printf("# chunk %zu cap %zu: rc %d, %zu bytes, "
				    "%s\n", chunks[i], caps[j], r.rc, r.out.n,
				    r.err);
				good = 0;
			}
			buf_free(&r.out);
		}
	}
	ok(good, "5 members, %zu chunk sizes x %zu capacities: exact output",
	    sizeof(chunks) / sizeof(chunks[0]), sizeof(caps) / sizeof(caps[0]));

	buf_free(&m.gz);
	buf_free(&m.plain);
}

/* Input split into chunks of random size ending right at each boundary. */
static void
test_random_splits(void)
{
	struct multi m;
	struct gunzip *z;
	uint64_t seed = 42;
	uint8_t out[300];
	struct buf got = { 0 };
	size_t off, k, n, cap, trial, around;
	int rc, good = 1;

	make_multi(&m);
	if ((z = gunzip_new()) == NULL)
		exit(2);
	for (trial = 0; trial < 60; trial++) {
		gunzip_reset(z);
		got.n = 0;
		off = 0;
		rc = GUNZIP_NEED_INPUT;
		/* Make one chunk end near a member boundary (+-9 bytes). */
		around = m.start[1 + trial % 4] + (trial / 4) % 19 - 9;
		while (off < m.gz.n && rc != GUNZIP_ERR) {
			k = 1 + (size_t)(rnd(&seed) % 700);
			if (off < around && off + k > around)
				k = around - off;
			if (k > m.gz.n - off)
				k = m.gz.n - off;
			gunzip_input(z, m.gz.p + off, k);
			off += k;
			do {
				cap = 1 + (size_t)(rnd(&seed) % sizeof(out));
				rc = gunzip_output(z, out, cap, &n);
				buf_put(&got, out, n);
			} while (rc == GUNZIP_OK);
		}
		if (rc == GUNZIP_ERR || gunzip_finish(z) != 0 ||
		    got.n != m.plain.n ||
		    memcmp(got.p, m.plain.p, got.n) != 0 ||
		    gunzip_members(z) != 5) {
			printf("# trial %zu: %s\n", trial, gunzip_error(z));
			good = 0;
		}
	}
	ok(good, "60 random chunkings around member boundaries: exact output");
	gunzip_free(z);
	buf_free(&got);
	buf_free(&m.gz);
	buf_free(&m.plain);
}

static void
test_empty_member(void)
{
	struct buf gz = { 0 };
	struct result r;

	gz_member(&gz, "", 0);
	run(gz.p, gz.n, 0, 16, &r);
	ok(out_is(&r, 0, "", 0) && r.members == 1,
	    "empty member alone: no output, finish ok, 1 member");
	buf_free(&r.out);
	gz_member(&gz, "", 0);
	gz_member(&gz, "x", 1);
	run(gz.p, gz.n, 1, 1, &r);
	ok(out_is(&r, 0, "x", 1) && r.members == 3,
	    "empty, empty, \"x\", 1-byte chunks: 3 members, \"x\"");
	buf_free(&r.out);
	buf_free(&gz);
}

static void
test_header_fields(void)
{
	struct buf gz = { 0 };
	struct result r;
	char want[200];
	size_t s;

	gz_member(&gz, "first\n", 6);
	s = gz.n;
	gz_member_fancy(&gz, "second\n", 7, 0);
	run(gz.p, gz.n, 1, 2, &r);
	ok(out_is(&r, 0, "first\nsecond\n", 13) && r.members == 2,
	    "FEXTRA+FNAME+FCOMMENT+FHCRC header, 1-byte chunks");
	buf_free(&r.out);

	gz.n = s;
	gz_member_fancy(&gz, "second\n", 7, 1);
	run(gz.p, gz.n, 0, 100, &r);
	/* Header: 10 + 8 extra + 11 name + 10 comment, then the CRC16. */
	snprintf(want, sizeof(want), "corrupt gzip member 2 (starting at byte "
	    "%zu): header CRC mismatch at compressed byte %zu", s, s + 39);
	ok(out_is(&r, 1, "first\n", 6), "bad header CRC: first member out");
	is_str(r.err, want, "bad header CRC: message");
	buf_free(&r.out);

	gz.p[s + 2] = 9;
	run(gz.p, gz.n, 0, 100, &r);
	snprintf(want, sizeof(want), "corrupt gzip member 2 (starting at byte "
	    "%zu): unsupported compression method 9 at compressed byte %zu",
	    s, s + 2);
	is_str(r.err, want, "bad compression method: message");
	buf_free(&r.out);

	gz.p[s + 2] = 8;
	gz.p[s + 3] |= 0x20;
	run(gz.p, gz.n, 0, 100, &r);
	snprintf(want, sizeof(want), "corrupt gzip member 2 (starting at byte "
	    "%zu): reserved header flag bits set (flags 3e) at compressed "
	    "byte %zu", s, s + 3);
	is_str(r.err, want, "reserved flags: message");
	buf_free(&r.out);
	buf_free(&gz);
}

static void
test_corrupt(void)
{
	struct multi m;
	struct result r;
	struct buf gz = { 0 };
	char want[300], prefix[100];
	size_t s = 0, at, i;
	uint8_t orig;
	int good = 1, invalid = 0;

	/* Member 1: 100000 bytes of text; 2: 50000 of text; 3: fancy header. */
	make_multi(&m);
	buf_put(&gz, m.gz.p, m.start[1]);
	s = gz.n;
	gz_member(&gz, m.plain.p, 50000);
	buf_put(&gz, m.gz.p + m.start[4], m.start[5] - m.start[4]);
	snprintf(prefix, sizeof(prefix), "corrupt gzip member 2 (starting at "
	    "byte %zu): ", s);

	for (i = 0; i < 16; i++) {
		at = s + 20 + (gz.n - s) / 4 + i * 97;
		gz.p[at] ^= (uint8_t)(0x5a + i);
		run(gz.p, gz.n, i % 2 ? 0 : 1000, 4096, &r);
		if (r.rc != 1 || strncmp(r.err, prefix, strlen(prefix)) != 0 ||
		    r.out.n < m.plen[0] ||
		    memcmp(r.out.p, m.plain.p, m.plen[0]) != 0 ||
		    r.members != 1 || r.bad_api) {
			printf("# flip at %zu: rc %d, %zu out, %s\n", at, r.rc,
			    r.out.n, r.err);
			good = 0;
		}
		if (strstr(r.err, "invalid deflate") != NULL)
			invalid++;
		gz.p[at] ^= (uint8_t)(0x5a + i);
		buf_free(&r.out);
	}
	ok(good, "16 corrupt bytes mid member 2: error names member 2, "
	    "member 1 output intact");
	printf("# %d of them were invalid deflate data, the rest CRC "
	    "mismatches\n", invalid);

	/* A block header with BTYPE 11 (reserved): detected right there. */
	orig = gz.p[s + 10];
	gz.p[s + 10] |= 0x06;
	run(gz.p, gz.n, 0, 4096, &r);
	snprintf(want, sizeof(want), "%sinvalid deflate block at compressed "
	    "byte %zu", prefix, s + 10);
	is_str(r.err, want, "invalid block type at member 2's first block");
	ok(out_is(&r, 1, m.plain.p, m.plen[0]),
	    "invalid block: exactly member 1's output delivered");
	buf_free(&r.out);
	run(gz.p, gz.n, 1, 1, &r);
	is_str(r.err, want, "invalid block, 1-byte chunks: same message");
	ok(out_is(&r, 1, m.plain.p, m.plen[0]),
	    "invalid block, 1-byte chunks: member 1's output delivered");
	buf_free(&r.out);
	run(gz.p, gz.n, 3, 5, &r);
	is_str(r.err, want, "invalid block, 3-byte chunks: same message");
	buf_free(&r.out);

	/* After GUNZIP_ERR the decoder stays in error until reset. */
	{
		struct gunzip *z = gunzip_new();
		uint8_t o[64];
		size_t n = 99;

		gunzip_input(z, gz.p, gz.n);
		while (gunzip_output(z, o, sizeof(o), &n) == GUNZIP_OK)
			;
		n = 99;
		is_int(gunzip_output(z, o, sizeof(o), &n), GUNZIP_ERR,
		    "error is sticky");
		is_int(n, 0, "error is sticky: got 0");
		is_int(gunzip_finish(z), -1, "finish after error: -1");
		is_str(gunzip_error(z), want, "finish keeps the first error");

		/* Reset and reuse on good input. */
		gz.p[s + 10] = orig;
		gunzip_reset(z);
		is_str(gunzip_error(z), "no error", "reset clears the error");
		is_int(gunzip_members(z), 0, "reset clears members");
		run_z(z, gz.p, gz.n, 333, 777, &r);
		ok(r.rc == 0 && r.members == 3 && r.total_in == gz.n,
		    "reset decoder decodes a good stream (%s)", r.err);
		buf_free(&r.out);
		gunzip_reset(z);
		run_z(z, gz.p, gz.n, 0, 1 << 20, &r);
		ok(r.rc == 0 && r.members == 3 && r.total_in == gz.n,
		    "second reset, same decoder, again");
		buf_free(&r.out);
		gunzip_free(z);
	}

	buf_free(&gz);
	buf_free(&m.gz);
	buf_free(&m.plain);
}

static void
test_trailer(void)
{
	struct buf gz = { 0 };
	struct result r;
	char want[300];
	uint8_t text[3000];
	size_t s, e;

	make_text(text, sizeof(text), 5);
	gz_member(&gz, "one\n", 4);
	s = gz.n;
	gz_member(&gz, text, sizeof(text));
	e = gz.n;
	gz_member(&gz, "three\n", 6);

	/* Bad CRC in member 2. */
	gz.p[e - 8] ^= 0x80;
	snprintf(want, sizeof(want), "corrupt gzip member 2 (starting at byte "
	    "%zu): CRC-32 mismatch (trailer says %08" PRIx32 ", data has %08"
	    PRIx32 ") at compressed byte %zu", s,
	    crc32_gzip_refl(0, text, sizeof(text)) ^ 0x80,
	    crc32_gzip_refl(0, text, sizeof(text)), e - 8);
	run(gz.p, gz.n, 0, 1 << 16, &r);
	is_str(r.err, want, "bad CRC: message");
	is_int(r.rc, 1, "bad CRC: GUNZIP_ERR");
	ok(r.out.n == 4 + sizeof(text) &&
	    memcmp(r.out.p + 4, text, sizeof(text)) == 0,
	    "bad CRC: output up to the trailer delivered");
	buf_free(&r.out);
	run(gz.p, gz.n, 1, 7, &r);
	is_str(r.err, want, "bad CRC, 1-byte chunks: same message");
	buf_free(&r.out);
	gz.p[e - 8] ^= 0x80;

	/* Bad ISIZE in member 2. */
	gz.p[e - 2] ^= 0x01;
	snprintf(want, sizeof(want), "corrupt gzip member 2 (starting at byte "
	    "%zu): ISIZE mismatch (trailer says %zu bytes, data has %zu mod "
	    "2^32) at compressed byte %zu", s, sizeof(text) + 65536,
	    sizeof(text), e - 4);
	run(gz.p, gz.n, 0, 1 << 16, &r);
	is_str(r.err, want, "bad ISIZE: message");
	is_int(r.rc, 1, "bad ISIZE: GUNZIP_ERR");
	buf_free(&r.out);
	run(gz.p, gz.n, 3, 1, &r);
	is_str(r.err, want, "bad ISIZE, 3-byte chunks, 1-byte output: same");
	buf_free(&r.out);
	gz.p[e - 2] ^= 0x01;

	run(gz.p, gz.n, 0, 1 << 16, &r);
	ok(r.rc == 0 && r.members == 3 && r.out.n == 4 + sizeof(text) + 6,
	    "restored trailer: decodes");
	buf_free(&r.out);
	buf_free(&gz);
}

static void
test_truncated(void)
{
	struct buf gz = { 0 };
	struct result r;
	char want[300];
	uint8_t text[20000];
	size_t s, e, i, j;
	static const size_t chunks[] = { 0, 1, 5 };
	struct {
		size_t cut;
		const char *where;
	} cases[7];

	make_text(text, sizeof(text), 9);
	gz_member(&gz, "one\n", 4);
	s = gz.n;
	gz_member(&gz, text, sizeof(text));
	e = gz.n;
	cases[0].cut = s + 1; cases[0].where = "header";
	cases[1].cut = s + 5; cases[1].where = "header";
	cases[2].cut = s + 10; cases[2].where = "deflate data";
	cases[3].cut = (s + e) / 2; cases[3].where = "deflate data";
	cases[4].cut = e - 8; cases[4].where = "trailer";
	cases[5].cut = e - 3; cases[5].where = "trailer";
	cases[6].cut = e - 1; cases[6].where = "trailer";

	for (i = 0; i < 7; i++) {
		for (j = 0; j < 3; j++) {
			run(gz.p, cases[i].cut, chunks[j], 1000, &r);
			snprintf(want, sizeof(want), "truncated gzip member 2 "
			    "(starting at byte %zu): input ends inside the %s "
			    "at compressed byte %zu", s, cases[i].where,
			    cases[i].cut);
			is_int(r.rc, 2, "cut at member 2 + %zu (%s), chunk %zu:"
			    " gunzip_finish fails", cases[i].cut - s,
			    cases[i].where, chunks[j]);
			is_str(r.err, want, "  ... message");
			ok(r.out.n >= 4 && memcmp(r.out.p, "one\n", 4) == 0 &&
			    memcmp(r.out.p + 4, text, r.out.n - 4) == 0 &&
			    r.members == 1,
			    "  ... output so far is a correct prefix");
			buf_free(&r.out);
		}
	}

	/* The whole of member 2 minus its trailer still gives all its data. */
	run(gz.p, e - 8, 0, 1 << 16, &r);
	ok(r.out.n == 4 + sizeof(text), "cut before trailer: all data out");
	buf_free(&r.out);

	/* Truncated inside member 1. */
	run(gz.p, 3, 0, 16, &r);
	is_str(r.err, "truncated gzip member 1 (starting at byte 0): input "
	    "ends inside the header at compressed byte 3",
	    "cut in member 1's header: message");
	buf_free(&r.out);
	buf_free(&gz);
}

static void
test_trailing(void)
{
	struct buf gz = { 0 };
	struct result r;
	char want[300];
	size_t e;

	gz_member(&gz, "a\n", 2);
	gz_member(&gz, "b\n", 2);
	gz_member(&gz, "c\n", 2);
	e = gz.n;
	buf_put(&gz, "garbage\n", 8);
	snprintf(want, sizeof(want), "trailing data after gzip member 3 is not "
	    "gzip (member 4 would start at byte %zu): bad magic number at "
	    "compressed byte %zu", e, e);
	run(gz.p, gz.n, 0, 100, &r);
	ok(out_is(&r, 1, "a\nb\nc\n", 6), "trailing garbage: GUNZIP_ERR, "
	    "all 3 members out");
	is_str(r.err, want, "trailing garbage: message");
	is_int(r.members, 3, "trailing garbage: 3 members");
	buf_free(&r.out);
	run(gz.p, gz.n, 1, 1, &r);
	is_str(r.err, want, "trailing garbage, 1-byte chunks: message");
	buf_free(&r.out);

	/* 1f then a wrong second byte. */
	gz.p[e] = 0x1f;
	snprintf(want, sizeof(want), "trailing data after gzip member 3 is not "
	    "gzip (member 4 would start at byte %zu): bad magic number at "
	    "compressed byte %zu", e, e + 1);
	run(gz.p, gz.n, 0, 100, &r);
	is_str(r.err, want, "1f 61 after member 3: message");
	buf_free(&r.out);

	/* A lone 1f at the end is a truncated header. */
	run(gz.p, e + 1, 0, 100, &r);
	is_int(r.rc, 2, "lone 1f after member 3: finish fails");
	snprintf(want, sizeof(want), "truncated gzip member 4 (starting at "
	    "byte %zu): input ends inside the header at compressed byte %zu",
	    e, e + 1);
	is_str(r.err, want, "lone 1f after member 3: message");
	buf_free(&r.out);

	/* A zero byte (padding) is not ignored either. */
	gz.p[e] = 0;
	run(gz.p, e + 1, 0, 100, &r);
	is_int(r.rc, 1, "NUL padding after member 3: GUNZIP_ERR");
	buf_free(&r.out);

	/* Not gzip at all. */
	run((const uint8_t *)"hello", 5, 0, 100, &r);
	is_str(r.err, "corrupt gzip member 1 (starting at byte 0): not gzip "
	    "(bad magic number) at compressed byte 0", "plain text: message");
	ok(out_is(&r, 1, "", 0), "plain text: no output");
	buf_free(&r.out);
	buf_free(&gz);
}

static void
test_empty_input(void)
{
	struct gunzip *z;
	uint8_t o[8];
	size_t n = 99;

	z = gunzip_new();
	ok(z != NULL, "gunzip_new");
	is_int(gunzip_output(z, o, sizeof(o), &n), GUNZIP_NEED_INPUT,
	    "no input yet: GUNZIP_NEED_INPUT");
	is_int(n, 0, "no input yet: got 0");
	gunzip_input(z, o, 0);
	is_int(gunzip_output(z, o, sizeof(o), &n), GUNZIP_NEED_INPUT,
	    "zero-length input: GUNZIP_NEED_INPUT");
	is_int(gunzip_finish(z), -1, "empty input: finish -1");
	is_str(gunzip_error(z), "empty input: no gzip member",
	    "empty input: message");
	is_int(gunzip_total_in(z), 0, "empty input: total_in 0");
	is_int(gunzip_total_out(z), 0, "empty input: total_out 0");

	/* Finishing with input not yet decoded is an error, not a success. */
	gunzip_reset(z);
	gunzip_input(z, gnu_gz, sizeof(gnu_gz));
	is_int(gunzip_finish(z), -1, "finish with undecoded input: -1");
	is_str(gunzip_error(z), "gunzip_finish: 52 bytes of input at "
	    "compressed byte 0 not yet decoded",
	    "finish with undecoded input: message");
	gunzip_free(z);
	gunzip_free(NULL);
	ok(1, "gunzip_free(NULL)");
}

/* ~20 MB of log text in 4 members, compared by CRC-32 and length. */
static void
test_big(void)
{
	size_t n = 20 * 1024 * 1024 + 12345, cuts[5], i, off, k, got;
	struct buf gz = { 0 };
	struct gunzip *z;
	uint8_t *text, *out, *in;
	uint32_t crc = 0;
	uint64_t total = 0;
	int rc = GUNZIP_NEED_INPUT;

	if ((text = malloc(n)) == NULL || (out = malloc(100000)) == NULL)
		exit(2);
	make_text(text, n, 2024);
	cuts[0] = 0;
	cuts[1] = n / 3 + 17;
	cuts[2] = n / 2;
	cuts[3] = n - 1000;
	cuts[4] = n;
	for (i = 0; i < 4; i++)
		gz_member(&gz, text + cuts[i], cuts[i + 1] - cuts[i]);
	printf("# big: %zu bytes of text, %zu compressed\n", n, gz.n);

	z = gunzip_new();
	for (off = 0; off < gz.n && rc != GUNZIP_ERR; off += k) {
		k = gz.n - off < 65537 ? gz.n - off : 65537;
		if ((in = malloc(k)) == NULL)
			exit(2);
		memcpy(in, gz.p + off, k);
		gunzip_input(z, in, k);
		do {
			rc = gunzip_output(z, out, 100000, &got);
			crc = crc32_gzip_refl(crc, out, got);
			total += got;
		} while (rc == GUNZIP_OK);
		free(in);
	}
	is_int(rc, GUNZIP_NEED_INPUT, "big: no error (%s)", gunzip_error(z));
	is_int(gunzip_finish(z), 0, "big: finish ok");
	is_int(gunzip_members(z), 4, "big: 4 members");
	is_int(total, n, "big: length");
	is_int(crc, crc32_gzip_refl(0, text, n), "big: CRC-32 of the output");
	is_int(gunzip_total_out(z), n, "big: total_out");
	is_int(gunzip_total_in(z), gz.n, "big: total_in");
	gunzip_free(z);
	buf_free(&gz);
	free(text);
	free(out);
}

int
main(void)
{

	test_magic();
	test_single();
	test_multi();
	test_random_splits();
	test_empty_member();
	test_header_fields();
	test_corrupt();
	test_trailer();
	test_truncated();
	test_trailing();
	test_empty_input();
	test_big();
	return tap_done();
}
