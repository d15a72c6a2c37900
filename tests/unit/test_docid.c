/*
 * test_docid.c: document ids (docid.h).  The id is HEX20(SHA-256(identity))
 * "-" offset, where the identity is the file name without directory and
 * without ".gz"; so a local gunzipped copy, a file in a directory and the
 * S3 object give every line the same id.  Known hashes were computed with
 * `printf %s NAME | sha256sum | cut -c1-20`.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "encode/docid.h"
#include "encode/ecs.h"
#include "tap.h"

#define VEC "111122223333_elasticloadbalancing_eu-west-1_app.shop-alb." \
    "1a2b3c4d5e6f7a8b_20251103T1020Z_10.0.4.17_3kq9zz1p.log"
#define VEC_HASH "9e1029161c401d6934cb"

static void
identity_is(const char *name, const char *want)
{
	struct slice id = docid_identity(slice_make(name, strlen(name)));
	char buf[256];

	snprintf(buf, sizeof(buf), "%.*s", (int)id.n, id.p ? id.p : "");
	is_str(buf, want, "identity('%s') = '%s'", name, want);
}

static void
base_is(const char *identity, const char *want)
{
	char out[DOCID_BASE_LEN + 1];

	memset(out, 0, sizeof(out));
	docid_base(slice_make(identity, strlen(identity)), out);
	is_str(out, want, "base('%s') = %s", identity, want);
}

static void
test_identity(void)
{
	identity_is("x.log.gz", "x.log");
	identity_is("dir/x.log", "x.log");
	identity_is("a/b/x.log.gz", "x.log");
	identity_is("/abs/path/x.log", "x.log");
	identity_is("x.log", "x.log");
	identity_is("x.log.gz.gz", "x.log.gz");
	identity_is("x.gz", "x");
	identity_is("dir.gz/x.log", "x.log");
	identity_is("x.GZ", "x.GZ");
	identity_is(".gz", ".gz");
	identity_is("dir/", "");
	identity_is("", "");
	identity_is("stdin", "stdin");
	identity_is("AWSLogs/111122223333/elasticloadbalancing/eu-west-1/2025/"
	    "11/03/" VEC ".gz", VEC);
}

static void
test_base(void)
{
	base_is("abc", "ba7816bf8f01cfea4141");
	base_is("", "e3b0c44298fc1c149afb");
	base_is("x.log", "0ccbdc1f8dc786da9d83");
	base_is(VEC, VEC_HASH);
}

static void
test_make(void)
{
	char base[DOCID_BASE_LEN], out[DOCID_MAX];
	size_t n;

	memcpy(base, VEC_HASH, DOCID_BASE_LEN);
	memset(out, 'Z', sizeof(out));
	n = docid_make(base, 0, out);
	is_str(out, VEC_HASH "-0", "make: offset 0");
	is_int(n, strlen(VEC_HASH "-0"), "make: length of offset 0");
	n = docid_make(base, 1075, out);
	is_str(out, VEC_HASH "-1075", "make: offset 1075");
	n = docid_make(base, UINT64_MAX, out);
	is_str(out, VEC_HASH "-18446744073709551615", "make: offset UINT64_MAX");
	ok(n == 41 && n < DOCID_MAX, "make: the longest id (41) fits DOCID_MAX");
}

/* The event.id of the first line of a file opened as ${origin}. */
static void
line_id(const struct ecs_origin *origin, char *id, size_t cap)
{
	static const char line[] = "2024-06-01T08:00:01.000123Z web-clb "
	    "198.51.100.4:40001 10.0.1.5:80 0.000041 0.002310 0.000020 200 200 0 "
	    "1534 \"GET http://www.example.org:80/index.html HTTP/1.1\" "
	    "\"curl/8.5.0\" - -";
	struct ecs_opts opts;
	struct ecs_result res;
	struct ecs_file *f;
	char *buf;

	memset(&opts, 0, sizeof(opts));
	f = ecs_file_new(&opts, origin);
	buf = malloc(ecs_bound(f, sizeof(line) - 1));
	if (f == NULL || buf == NULL)
		abort();
	ecs_line(f, line, sizeof(line) - 1, 4096, buf, &res);
	snprintf(id, cap, "%.*s", (int)res.idlen, res.id);
	free(buf);
	ecs_file_free(f);
}

#define AWSNAME "111122223333_elasticloadbalancing_eu-west-1_web-clb_" \
	"20240601T0805Z_198.51.100.10_1a2b3c4d.log"

static void
test_same_everywhere(void)
{
	struct ecs_origin gz = { AWSNAME ".gz", NULL, NULL, NULL, 0 };
	struct ecs_origin dir = { "dir/" AWSNAME, NULL, NULL, NULL, 0 };
	struct ecs_origin s3 = { NULL, "bucket", "AWSLogs/1/" AWSNAME ".gz",
	    NULL, 0 };
	struct ecs_origin in = { "-", NULL, NULL, AWSNAME, 0 };
	char a[DOCID_MAX], b[DOCID_MAX], c[DOCID_MAX], d[DOCID_MAX];

	line_id(&gz, a, sizeof(a));
	line_id(&dir, b, sizeof(b));
	line_id(&s3, c, sizeof(c));
	line_id(&in, d, sizeof(d));
	ok(strlen(a) == DOCID_BASE_LEN + 5 && strcmp(a + DOCID_BASE_LEN,
	    "-4096") == 0, "id of an AWS-named .log.gz: hash and offset");
	is_str(b, a, "the same AWS name in a directory gives the same id");
	is_str(c, a, "the S3 key of that name gives the same id");
	is_str(d, a, "stdin named that gives the same id");
	{
		struct ecs_origin other = { "dir/y.log", NULL, NULL, NULL, 0 };

		line_id(&other, d, sizeof(d));
		ok(strcmp(d, a) != 0, "another name gives another id");
	}
	{
		/* Not AWS's names: in S3 the whole bucket/key decides. */
		struct ecs_origin k1 = { NULL, "bucket", "srv1/access.log", NULL,
		    0 };
		struct ecs_origin k2 = { NULL, "bucket", "srv2/access.log", NULL,
		    0 };
		struct ecs_origin loc = { "x/access.log", NULL, NULL, NULL, 0 };

		line_id(&k1, a, sizeof(a));
		line_id(&k2, b, sizeof(b));
		line_id(&loc, c, sizeof(c));
		ok(strcmp(a, b) != 0, "S3 keys srv1/access.log and "
		    "srv2/access.log give different ids");
		ok(strcmp(a, c) != 0 && strcmp(b, c) != 0, "and differ from a "
		    "local access.log");
	}
	{
		struct ecs_opts opts;
		struct ecs_file *f;

		memset(&opts, 0, sizeof(opts));
		f = ecs_file_new(&opts, &s3);
		is_str(ecs_file_identity(f), AWSNAME, "ecs_file_identity of an "
		    "S3 key with an AWS name");
		ecs_file_free(f);
		{
			struct ecs_origin k = { NULL, "b", "p/q.log", NULL, 0 };

			f = ecs_file_new(&opts, &k);
			is_str(ecs_file_identity(f), "b/p/q.log",
			    "ecs_file_identity of another S3 key: bucket/key");
			ecs_file_free(f);
		}
		ecs_file_free(NULL);
		ok(1, "ecs_file_free(NULL) does nothing");
	}
}

int
main(void)
{
	test_identity();
	test_base();
	test_make();
	test_same_everywhere();
	return tap_done();
}
