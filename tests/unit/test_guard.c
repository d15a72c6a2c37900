/*
 * test_guard.c: no parser or encoder reads outside the line it is given,
 * or writes past the room it was promised.
 *
 * After picohttpparser's test.c: the input is copied so that it ends
 * exactly where an unreadable (PROT_NONE) page begins, and the page is
 * made read-only, so reading one byte past the end, or writing into the
 * input, faults at once, with or without ASan.  Each input is also placed
 * at the start of the readable area, right after another guard page, to
 * catch reads before it.  Outputs are placed the same way: ecs_line() gets
 * exactly ecs_bound() bytes and jsonw_str() exactly JSONW_STR_MAX(n) bytes
 * that end at a guard page.
 *
 * Inputs: every prefix and every suffix of valid lines of the four types
 * (the spec's test vectors and more), which puts every field, cut at every
 * byte, at the end of the line; and odd inputs (lone quotes, cut escapes,
 * cut UTF-8, brackets).  Each goes through alb_parse, clb_parse, nlb_parse,
 * albconn_parse, the *_looks_like() sniffers, lbtok_split, and ecs_line()
 * forced to each type and sniffing, with and without event.original; the
 * documents must be valid JSON.  A fault is reported as a failed test
 * naming the input, and ends the run.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "encode/ecs.h"
#include "encode/jsonw.h"
#include "parse/alb.h"
#include "parse/albconn.h"
#include "parse/clb.h"
#include "parse/lbtok.h"
#include "parse/nlb.h"
#include "tap.h"

/* An area of ${pages} usable pages between two PROT_NONE pages. */
struct guard {
	char *map;
	size_t page, pages;
	char *lo, *hi;		/* usable bytes: [lo, hi) */
};

static void
guard_init(struct guard *g, size_t bytes)
{
	g->page = (size_t)sysconf(_SC_PAGESIZE);
	g->pages = (bytes + g->page - 1) / g->page;
	g->map = mmap(NULL, (g->pages + 2) * g->page, PROT_NONE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->map == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	g->lo = g->map + g->page;
	g->hi = g->lo + g->pages * g->page;
}

static void
guard_prot(struct guard *g, int prot)
{
	if (mprotect(g->lo, g->pages * g->page, prot) != 0) {
		perror("mprotect");
		exit(2);
	}
}

/* Copy ${s} (${n} bytes) to end at hi (at_end) or to start at lo; read-only. */
static const char *
guard_place(struct guard *g, const char *s, size_t n, int at_end)
{
	char *p = at_end ? g->hi - n : g->lo;

	guard_prot(g, PROT_READ | PROT_WRITE);
	memset(g->lo, '#', g->pages * g->page);
	memcpy(p, s, n);
	guard_prot(g, PROT_READ);
	return p;
}

static struct guard gin, gout;

/* What is running, for the fault report. */
static const char *cur_what = "";
static const char *cur_line = "";
static size_t cur_off, cur_len;

static void
on_fault(int sig)
{
	char msg[512];
	int n;

	n = snprintf(msg, sizeof(msg), "not ok %d - no fault: signal %d in %s "
	    "on bytes %zu..%zu of: %.200s\n# %d passed, %d failed\n",
	    tap_state.n + 1, sig, cur_what, cur_off, cur_off + cur_len,
	    cur_line, tap_state.n - tap_state.failed, tap_state.failed + 1);
	if (n > 0)
		(void)!write(1, msg, (size_t)n < sizeof(msg) ? (size_t)n :
		    sizeof(msg) - 1);
	_exit(1);
}

/* The documents ecs_line() writes for a line, one per ecs_file. */
enum { NFILES = 6 };
static struct ecs_file *files[NFILES];
static struct ecs_opts opts[NFILES];
static const char *const fnames[NFILES] = {
	"sniffing", "forced alb", "forced clb", "forced nlb",
	"forced alb-conn", "sniffing, S3, -e, labels",
};
static const struct ecs_label labels[] = {
	{ "environment", "prod" }, { "team", "caf\xC3\xA9" },
};

static long docs, bad_json;

static void
setup_files(void)
{
	static const enum lbtype types[NFILES] = { LB_UNKNOWN, LB_ALB, LB_CLB,
	    LB_NLB, LB_ALBCONN, LB_UNKNOWN };
	struct ecs_origin local = { "logs/x.log", NULL, NULL, NULL, 0 };
	struct ecs_origin s3 = { NULL, "my-bucket", "AWSLogs/111122223333/"
	    "elasticloadbalancing/eu-west-1/2025/11/03/111122223333_"
	    "elasticloadbalancing_eu-west-1_app.shop-alb.1a2b3c4d5e6f7a8b_"
	    "20251103T1020Z_10.0.4.17_3kq9zz1p.log.gz", NULL, 0 };
	int i;

	for (i = 0; i < NFILES; i++) {
		memset(&opts[i], 0, sizeof(opts[i]));
		opts[i].type = types[i];
		if (i == NFILES - 1) {
			opts[i].event_original = 1;
			opts[i].labels = labels;
			opts[i].nlabels = 2;
		}
		files[i] = ecs_file_new(&opts[i], i == NFILES - 1 ? &s3 : &local);
		if (files[i] == NULL)
			abort();
	}
}

static int
blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return 0;
	return 1;
}

/* Everything that reads a line, on ${p} (${n} bytes, guarded). */
static void
run_all(const char *p, size_t n, int check_json)
{
	struct alb_rec ar;
	struct clb_rec cr;
	struct nlb_rec nr;
	struct albconn_rec cn;
	struct lb_err err;
	struct lbtok tok[40];
	struct slice rest;
	static const int maxes[] = { 1, 3, 15, 22, 33, 40 };
	size_t i;

	cur_what = "alb_parse";
	(void)alb_parse(p, n, &ar, &err);
	cur_what = "clb_parse";
	(void)clb_parse(p, n, &cr, &err);
	cur_what = "nlb_parse";
	(void)nlb_parse(p, n, &nr, &err);
	cur_what = "albconn_parse";
	(void)albconn_parse(p, n, &cn, &err);
	cur_what = "looks_like";
	(void)alb_looks_like(p, n);
	(void)clb_looks_like(p, n);
	(void)nlb_looks_like(p, n);
	(void)albconn_looks_like(p, n);
	cur_what = "lbtok_split";
	for (i = 0; i < sizeof(maxes) / sizeof(maxes[0]); i++)
		(void)lbtok_split(p, n, tok, maxes[i], &rest, &err);
	if (n == 0 || blank(p, n))
		return;		/* ecs_line() is never given blank lines */
	for (i = 0; i < NFILES; i++) {
		struct ecs_result res;
		size_t bound = ecs_bound(files[i], n);
		char *out, *end;

		cur_what = fnames[i];
		if (bound > (size_t)(gout.hi - gout.lo)) {
			fprintf(stderr, "ecs_bound %zu too big for the test\n",
			    bound);
			exit(2);
		}
		out = gout.hi - bound;
		end = ecs_line(files[i], p, n, 1234, out, &res);
		docs++;
		if (check_json) {
			json_error_t e;
			json_t *j = json_loadb(out, (size_t)(end - out),
			    JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &e);

			if (j == NULL || !json_is_object(j)) {
				if (bad_json++ < 3)
					printf("#   %s: invalid JSON (%s) for: "
					    "%.*s\n", fnames[i], e.text,
					    (int)(n < 200 ? n : 200), p);
			}
			json_decref(j);
		}
	}
}

/* Every prefix and suffix of ${line}, placed at the end; prefixes also
 * at the start. */
static void
cuts(const char *what, const char *line)
{
	size_t n = strlen(line), i;
	long before = bad_json;
	const char *p;

	cur_line = line;
	for (i = 0; i <= n; i++) {
		cur_off = 0;
		cur_len = i;
		p = guard_place(&gin, line, i, 1);
		run_all(p, i, 1);
		p = guard_place(&gin, line, i, 0);
		run_all(p, i, 0);
		cur_off = i;
		cur_len = n - i;
		p = guard_place(&gin, line + i, n - i, 1);
		run_all(p, n - i, 1);
	}
	ok(bad_json == before, "%s: %zu prefixes and suffixes, no fault, "
	    "valid JSON", what, n + 1);
}

/* Value checks and string writers on every prefix/suffix of ${v}. */
static void
values(const char *v)
{
	size_t n = strlen(v), i, k;
	struct lb_request rq;
	struct lb_url u;
	struct slice ip;
	uint32_t port;
	uint64_t x;
	int z;

	cur_line = v;
	for (i = 0; i <= n; i++)
		for (k = 0; k < 2; k++) {
			size_t len = k == 0 ? i : n - i;
			const char *src = k == 0 ? v : v + i;
			const char *p = guard_place(&gin, src, len, 1);
			struct slice s = slice_make(p, len);

			cur_off = k == 0 ? 0 : i;
			cur_len = len;
			cur_what = "lbval_*";
			(void)lbval_time(s, &z);
			(void)lbval_uint(s, INT64_MAX, &x);
			(void)lbval_dec(s);
			(void)lbval_ip(s);
			(void)lbval_ipport(s, &ip, &port);
			lbval_request(s, &rq);
			(void)lbval_url(s, &u);
			(void)lbval_url_in(s, len, &u);
			cur_what = "jsonw_str";
			(void)jsonw_str(gout.hi - JSONW_STR_MAX(len), s);
			cur_what = "jsonw_raw_str";
			(void)jsonw_raw_str(gout.hi - JSONW_STR_MAX(len), s);
		}
}

static const char *const lines[][2] = {
	{ "ALB vector 1", "https 2025-11-03T10:15:42.123456Z app/shop-alb/1a2b3c4d5e6f7a8b 198.51.100.23:53012 10.1.2.3:8080 0.001 0.042 0.000 200 200 512 2048 \"GET https://shop.example.com:443/cart?id=7 HTTP/1.1\" \"Mozilla/5.0 (X11; Linux x86_64)\" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/shop-tg/0123456789abcdef \"Root=1-6908c2be-0123456789abcdef01234567\" \"shop.example.com\" \"arn:aws:acm:eu-west-1:111122223333:certificate/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee\" 3 2025-11-03T10:15:42.080000Z \"waf,forward\" \"-\" \"-\" \"10.1.2.3:8080\" \"200\" \"-\" \"-\" TID_0123456789abcdef0123456789abcdef \"-\" \"-\" \"-\"" },
	{ "ALB vector 2", "http 2025-11-03T10:15:43.000001Z app/shop-alb/1a2b3c4d5e6f7a8b 198.51.100.24:40000 - 0.000 0.003 0.000 502 - 40 300 \"POST http://shop.example.com:80/fn HTTP/1.1\" \"curl/8.5.0\" - - arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/fn-tg/fedcba9876543210 \"Root=1-6908c2bf-aaaaaaaaaaaaaaaaaaaaaaaa\" \"-\" \"-\" 0 2025-11-03T10:15:42.990000Z \"forward\" \"-\" \"LambdaInvalidResponse\" \"-\" \"-\" \"-\" \"-\" TID_11112222333344445555666677778888 \"-\" \"-\" \"-\"" },
	{ "ALB vector 3", "h2 2025-11-03T10:15:44.5Z app/shop-alb/1a2b3c4d5e6f7a8b [2001:db8::7]:443 10.1.2.4:8080 0.000 0.010 0.000 301 - 90 200 \"GET https://shop.example.com:443/old?q=\\x22x\\x22 HTTP/2.0\" \"Caf\\xC3\\xA9Bot/1.0 \\x5cz\" TLS_AES_128_GCM_SHA256 TLSv1.3 - \"Root=1-6908c2c0-bbbbbbbbbbbbbbbbbbbbbbbb\" \"shop.example.com\" \"session-reused\" 5 2025-11-03T10:15:44.400000Z \"redirect\" \"https://shop.example.com:443/new\" \"-\" \"-\" \"-\" \"Acceptable\" \"SpaceInUri\" TID_aaaabbbbccccddddeeeeffff00001111 \"-\" \"-\" \"-\" 10.0.4.17 - extra" },
	{ "ALB, 18 fields, unquoted trace id last", "http 2016-08-10T22:08:42.945958Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 GET curl/7.46.0 - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 Root=1-58337262-36d228ad5d99923122bbe354" },
	{ "ALB, everything unquoted, URL last", "http 2025-11-03T10:40:00.000004Z app/a/b [::1]:1000 10.1.2.3:80 0 0 0 200 200 10 20 - - - - - Root=1-6908c2be-0123456789abcdef01234567 shop.example.com session-reused 0 2025-11-03T10:40:00.000000Z forward https://h:443/p?q#f - 10.1.2.3:80 200 Acceptable - TID_0 - - http://[2001:db8::1]:8080/v6?x=1#frag" },
	{ "ALB, escapes and UTF-8 at the end", "ws 2025-11-03T10:55:00.000001Z app/a/b 198.51.100.23:53012 - -1 -1 -1 101 101 1 2 \"GET http://u:p@h:80/caf\\xC3\\xA9?\\x22 HTTP/1.1\" \"\\xf0\\x9f\\x98\\x80 \\xFF \\xC3\" - - - \"-\" \"-\" \"-\" -1 - \"-\" \"-\" \"-\" \"-\" \"-\" \"-\" \"-\" - \"-\" \"-\" \"caf\\xC3\\xA9 \xC3\xA9 \xE2\x82\xAC\"" },
	{ "CLB vector 1", "2024-06-01T08:00:01.000123Z web-clb 198.51.100.4:40001 10.0.1.5:80 0.000041 0.002310 0.000020 200 200 0 1534 \"GET http://www.example.org:80/index.html HTTP/1.1\" \"curl/8.5.0\" - -" },
	{ "CLB vector 2", "2024-06-01T08:00:02.500000Z web-clb 198.51.100.4:40002 10.0.1.5:80 0.000050 0.001000 0.000030 304 304 0 0 \"GET https://www.example.org:443/a.css HTTP/1.1\" \"Mozilla/5.0 (X11)\" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2" },
	{ "CLB vector 3 (TCP)", "2024-06-01T08:00:03.000001Z tcp-clb 198.51.100.9:51000 10.0.1.6:5432 0.001000 0.000030 0.000040 - - 812 3305 \"- - - \" \"-\" - -" },
	{ "CLB vector 4 (not dispatched)", "2024-06-01T08:00:04.000001Z web-clb 198.51.100.9:51001 - -1 -1 -1 504 0 0 0 \"GET http://www.example.org:80/slow HTTP/1.1\" \"curl/8.5.0\" - -" },
	{ "CLB, IPv6 and a 16th field", "2024-06-01T08:01:00.000005Z web-clb 2001:db8::5:40004 [2001:db8:2::9]:8080 0.000041 0.002310 0.000020 200 200 0 1534 \"GET /v6b HTTP/1.1\" \"curl/8.5.0\" - tlsv12 future" },
	{ "NLB example", "tls 2.0 2025-11-03T10:20:05 net/edge-nlb/0f1e2d3c4b5a6978 c0ffee12345678ab 198.51.100.7:50211 10.2.0.15:443 120 8 517 4096 - arn:aws:acm:us-east-1:111122223333:certificate/12345678-aaaa-bbbb-cccc-1234567890ab - ECDHE-RSA-AES128-GCM-SHA256 tlsv12 - api.example.com h2 h2 \"h2\",\"http/1.1\" 2025-11-03T10:20:04" },
	{ "NLB, 18 fields", "tls 1.0 2018-12-20T02:59:40 net/my-network-loadbalancer/c6e77e28c25b2234 g3d4b5e8bb8464cd 72.21.218.154:51341 172.100.100.185:443 5 2 98 246 - arn:aws:acm:us-east-2:671290407336:certificate/2a108f19-aded-46b0-8493-c63eb1ef4a99 - ECDHE-RSA-AES128-SHA tlsv12 - my-network-loadbalancer-c6e77e28c25b2234.elb.us-east-2.amazonaws.com" },
	{ "NLB, extras", "tls 2.0 2025-11-03T10:20:09.5Z net/a/b c 198.51.100.9:50214 10.2.0.15:443 120 8 517 4096 - - - X tlsv1 secp256r1 a%2Db h2 http/1.1 \"h2\",\"http/1.1\",\"http/1.0\" 2025-11-03T10:20:09.1Z future1 \"fu ture2\"" },
	{ "connection log example", "2025-11-03T10:15:41.900100Z 198.51.100.23 53012 443 TLSv1.3 TLS_AES_128_GCM_SHA256 0.012 \"CN=client-7,O=Example,C=DE\" NotBefore=2025-01-01T00:00:00Z;NotAfter=2026-01-01T00:00:00Z 0A1B2C3D4E5F Success TID_0123456789abcdef0123456789abcdef X25519MLKEM768 app/shop-alb/1a2b3c4d5e6f7a8b 10.0.4.17" },
	{ "connection log, - variant", "2025-11-03T10:15:45.000000Z 203.0.113.5 60001 80 - - - \"-\" - - - TID_aaaabbbbccccddddeeeeffff00001111 - app/shop-alb/1a2b3c4d5e6f7a8b 10.0.4.17" },
	{ "connection log, 11 fields, IPv6", "2025-11-03T10:15:46.000000Z [2001:db8::98] 53013 443 TLSv1.2 X - \"CN=J\\xC3\\xBCrgen\" NotBefore=2023-01-01T00:00:00Z;NotAfter=2024-01-01T00:00:00Z 0FFE Failed:ClientCertExpired" },
};

/*
 * Lines whose values expand the most when written (raw control bytes become
 * 6 bytes each, and the URL appears in url.original, url.path/query and
 * event.original): built at run time, see worst_lines().
 */
static void
worst_lines(void)
{
	char line[4096], ctl[600];
	size_t i;

	for (i = 0; i + 1 < sizeof(ctl); i++)
		ctl[i] = (char)(1 + i % 31);
	ctl[sizeof(ctl) - 1] = '\0';
	for (i = 0; ctl[i] != '\0'; i++)
		if (ctl[i] == ' ' || ctl[i] == '"')
			ctl[i] = '\x01';
	snprintf(line, sizeof(line), "https 2025-11-03T10:15:42.123456Z %.40s "
	    "198.51.100.23:53012 10.1.2.3:8080 0.001 0.042 0.000 200 200 512 "
	    "2048 \"GET https://h:443/%.300s?%.300s#%.100s HTTP/1.1\" \"%.300s\" "
	    "%.50s TLSv1.2 - \"-\" \"%.50s\" \"-\" 3 "
	    "2025-11-03T10:15:42.080000Z \"%.50s\" \"%.50s\" \"-\" \"-\" "
	    "\"-\" \"-\" \"-\" - \"-\" \"-\" \"-\" %.60s", ctl, ctl, ctl, ctl,
	    ctl, ctl, ctl, ctl, ctl, ctl);
	cuts("ALB, control bytes everywhere", line);
	snprintf(line, sizeof(line), "2025-11-03T10:15:41.900100Z 198.51.100.23 "
	    "53012 443 TLSv1.3 %.100s 0.012 \"%.500s\" "
	    "NotBefore=2025-01-01T00:00:00Z;NotAfter=2026-01-01T00:00:00Z "
	    "%.100s Failed:%.100s %.100s %.100s %.100s 10.0.4.17 %.100s", ctl,
	    ctl, ctl, ctl, ctl, ctl, ctl, ctl);
	cuts("connection log, control bytes everywhere", line);
	snprintf(line, sizeof(line), "2024-06-01T08:00:01.000123Z %.100s "
	    "198.51.100.4:40001 10.0.1.5:80 0.000041 0.002310 0.000020 200 200 0 "
	    "1534 \"GET /%.400s?%.400s HTTP/1.1\" \"%.400s\" %.100s %.100s", ctl,
	    ctl, ctl, ctl, ctl, ctl);
	cuts("CLB, control bytes everywhere", line);
}

static const char *const odd[] = {
	"\"", "\"\"", "\" ", " \"", "\"a", "a\"", "\"\"\"", "\"a\"b\"c",
	"\\", "\\x", "\\x4", "\\xC3", "\\xC3\\xA9", "\\xf0\\x9f\\x98",
	"\xC3", "\xE2\x82", "\xF0\x9F\x98", "\xFF", "[", "[::1", "[::1]:",
	"http://[", "http://h:", "http://u@", "Root=1-", "Root=1-6908c2be-",
	"NotBefore=", "NotBefore=2025-01-01T00:00:00Z;",
	"NotBefore=2025-01-01T00:00:00Z;NotAfter=", "tls 2.0 ", "http ",
	"https 2025-11-03T10:15:42.123456Z", "2025-11-03T10:15:42.123456Z",
	"2025-11-03T10:15:42.123456Z 1.2.3.4", "   ", " ", "- - -", "- - - ",
	"0.000", "65535", "99999999999999999999", "1.2.3.4:80", "::ffff:1.2.3.4",
	"ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255:65535",
	"TLSv1.2", "tlsv12", "TLSv", "v", "Failed:", ":",
	"GET http://u:p@[::1]:80/p?q#f HTTP/1.1",
	"http://h:80/caf\\xC3\\xA9?\\x22#f",
	"https://shop.example.com:443/a/b/c/d/e/f/g?x=1&y=2&z=3#frag",
	"/relative/path/that/is/long/enough?for=simd&x=1#f",
	"plain value longer than sixteen bytes", "0123456789abcdef",
	"\\xC3\\xA9\\xC3\\xA9\\xC3\\xA9\\xC3\\xA9\\xC3\\xA9",
	"a\"b\\c\x01" "d\xFF" "e\xC3\xA9" "f\x7f plain tail of more bytes",
};

/* The harness itself: a read one byte past a placed input must fault. */
static void
self_check(void)
{
	const char *p = guard_place(&gin, "abc", 3, 1);
	pid_t pid;
	int st = 0;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		signal(SIGSEGV, SIG_DFL);
		signal(SIGBUS, SIG_DFL);
		_exit(((volatile const char *)p)[3] == 0 ? 3 : 4);
	}
	waitpid(pid, &st, 0);
	ok(pid > 0 && WIFSIGNALED(st) && (WTERMSIG(st) == SIGSEGV ||
	    WTERMSIG(st) == SIGBUS), "harness: reading past the input faults");
	ok(p[2] == 'c' && p + 3 == gin.hi, "harness: the input ends at the "
	    "guard page");
}

int
main(void)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fault;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);

	guard_init(&gin, 8192);
	guard_init(&gout, 256 * 1024);
	guard_prot(&gout, PROT_READ | PROT_WRITE);
	setup_files();
	self_check();

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		cuts(lines[i][0], lines[i][1]);
	worst_lines();
	for (i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		char what[64];

		snprintf(what, sizeof(what), "odd input %zu", i);
		cuts(what, odd[i]);
	}
	for (i = 0; i < sizeof(odd) / sizeof(odd[0]); i++)
		values(odd[i]);
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		/* Each field of each line on its own. */
		const char *l = lines[i][1], *sp;
		char field[600];

		while (*l != '\0') {
			sp = strchr(l, ' ');
			if (sp == NULL)
				sp = l + strlen(l);
			if ((size_t)(sp - l) < sizeof(field)) {
				memcpy(field, l, (size_t)(sp - l));
				field[sp - l] = '\0';
				values(field);
			}
			l = *sp ? sp + 1 : sp;
		}
	}
	ok(1, "value checks and string writers on every cut of every field "
	    "and odd value: no fault");
	ok(bad_json == 0, "%ld documents, all valid JSON objects", docs);
	for (i = 0; i < NFILES; i++)
		ecs_file_free(files[i]);
	return tap_done();
}
