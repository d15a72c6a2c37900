/*
 * gen_mix.c: deterministic synthetic load balancer log lines of the mixes
 * that bench/gen_alb.c does not cover, to measure the parser on each:
 *
 *   long     ALB lines with long URLs (0.5-3 kB of path and query, some
 *            \xHH escapes) and long user agents (200-600 bytes)
 *   ipv6     ALB lines whose clients and targets are all IPv6
 *   clb      Classic Load Balancer lines (HTTP and TCP listeners)
 *   nlb      Network Load Balancer (TLS listener) lines
 *   albconn  ALB connection log lines
 *
 * gen_mix --mix NAME [--bytes N[k|m|g]] [--seed S] > FILE
 *
 * libc only, no time, locale or floating point: the same arguments give
 * the same bytes on every machine.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rng {
	uint64_t s;
};

static uint64_t
next(struct rng *r)
{
	/* splitmix64 */
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static unsigned
below(struct rng *r, unsigned n)
{
	return (unsigned)(next(r) % n);
}

static const char *const uas[] = {
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
	"python-requests/2.31.0",
	"curl/8.4.0",
};

/* A long user agent: a browser string with many extension tokens. */
static int
long_ua(char *o, struct rng *r)
{
	int n = sprintf(o, "%s", uas[below(r, 2)]);
	unsigned k = 4 + below(r, 16), i;

	for (i = 0; i < k; i++)
		n += sprintf(o + n, " Ext%u/%u.%u.%u (compatible; build %08x)",
		    below(r, 100), below(r, 20), below(r, 10), below(r, 1000),
		    (unsigned)next(r));
	return n;
}

/* A long URL: deep path and a long query with tracking parameters. */
static int
long_url(char *o, struct rng *r)
{
	int n = sprintf(o, "https://shop.example.com:443");
	unsigned k = 4 + below(r, 12), i;

	for (i = 0; i < k; i++)
		n += sprintf(o + n, "/seg%u-%08x", below(r, 1000), (unsigned)next(r));
	n += sprintf(o + n, "/item.html?");
	k = 10 + below(r, 60);
	for (i = 0; i < k; i++)
		n += sprintf(o + n, "%sp%u=%016llx%s", i ? "&" : "", i,
		    (unsigned long long)next(r),
		    below(r, 20) == 0 ? "\\xC3\\xA9" : "");
	return n;
}

static int
ip4(char *o, struct rng *r)
{
	return sprintf(o, "%u.%u.%u.%u", 1 + below(r, 223), below(r, 256),
	    below(r, 256), 1 + below(r, 254));
}

static int
ip6(char *o, struct rng *r)
{
	switch (below(r, 3)) {
	case 0:
		return sprintf(o, "2001:db8::%x:%x", below(r, 65536), below(r, 65536));
	case 1:
		return sprintf(o, "2001:db8:%x:%x:%x:%x:%x:%x", below(r, 65536),
		    below(r, 65536), below(r, 65536), below(r, 65536),
		    below(r, 65536), below(r, 65536));
	default:
		return sprintf(o, "2600:1f18:%x:%x::%x", below(r, 65536),
		    below(r, 65536), below(r, 65536));
	}
}

static int
stamp(char *o, uint64_t us, int digits)
{
	unsigned sec = (unsigned)(us / 1000000), frac = (unsigned)(us % 1000000);
	int n = sprintf(o, "2025-11-03T%02u:%02u:%02u", 10 + sec / 3600 % 14,
	    sec / 60 % 60, sec % 60);

	if (digits == 6)
		n += sprintf(o + n, ".%06u", frac);
	else if (digits == 3)
		n += sprintf(o + n, ".%03u", frac / 1000);
	return n;
}

static int
alb_line(char *o, struct rng *r, uint64_t us, int mix_long)
{
	char cli[64], tgt[64], url[4096], ua[2048], t1[40], t2[40];
	int n;

	if (mix_long) {
		ip4(cli, r);
		ip4(tgt, r);
		long_url(url, r);
		long_ua(ua, r);
	} else {
		ip6(cli + 1, r);
		if (below(r, 10) == 0) {
			cli[0] = '[';
			strcat(cli, "]");
		} else {
			memmove(cli, cli + 1, strlen(cli + 1) + 1);
		}
		tgt[0] = '[';
		ip6(tgt + 1, r);
		strcat(tgt, "]");
		sprintf(url, "https://[2001:db8::1]:443/api/v1/items/%u?page=%u",
		    below(r, 100000), below(r, 50));
		strcpy(ua, uas[below(r, 4)]);
	}
	stamp(t1, us, 6);
	stamp(t2, us - below(r, 1000), 6);
	n = sprintf(o, "h2 %sZ app/shop-alb/1a2b3c4d5e6f7a8b %s:%u %s:8080 "
	    "0.%03u 0.%03u 0.000 200 200 %u %u \"GET %s HTTP/2.0\" \"%s\" "
	    "TLS_AES_128_GCM_SHA256 TLSv1.3 arn:aws:elasticloadbalancing:"
	    "eu-west-1:111122223333:targetgroup/shop-tg/0123456789abcdef "
	    "\"Root=1-6908c200-%012llx%012llx\" \"shop.example.com\" "
	    "\"session-reused\" %u %sZ \"forward\" \"-\" \"-\" \"%s:8080\" "
	    "\"200\" \"-\" \"-\" TID_%016llx%016llx \"-\" \"-\" \"-\"\n",
	    t1, cli, 1024 + below(r, 64000), tgt, below(r, 3), below(r, 900),
	    200 + below(r, 5000), 500 + below(r, 90000), url, ua,
	    (unsigned long long)(next(r) >> 16), (unsigned long long)(next(r) >> 16),
	    below(r, 50), t2, tgt,
	    (unsigned long long)next(r), (unsigned long long)next(r));
	return n;
}

static int
clb_line(char *o, struct rng *r, uint64_t us)
{
	char t[40], cli[32], tgt[32];

	stamp(t, us, 6);
	ip4(cli, r);
	ip4(tgt, r);
	if (below(r, 5) == 0)
		return sprintf(o, "%sZ web-clb %s:%u %s:443 0.%06u 0.%06u 0.%06u "
		    "- - %u %u \"- - - \" \"-\" - -\n", t, cli,
		    1024 + below(r, 64000), tgt, below(r, 1000), below(r, 100000),
		    below(r, 1000), below(r, 5000), below(r, 90000));
	return sprintf(o, "%sZ web-clb %s:%u %s:80 0.%06u 0.%06u 0.%06u %u %u "
	    "%u %u \"GET https://www.example.org:443/search?q=item%u&page=%u "
	    "HTTP/1.1\" \"%s\" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2\n", t, cli,
	    1024 + below(r, 64000), tgt, below(r, 1000), below(r, 100000),
	    below(r, 1000), below(r, 10) ? 200 : 404, below(r, 10) ? 200 : 404,
	    below(r, 500), below(r, 90000), below(r, 100000), below(r, 20),
	    uas[below(r, 4)]);
}

static int
nlb_line(char *o, struct rng *r, uint64_t us)
{
	char t[40], t0[40], cli[32];

	stamp(t, us, 6);
	stamp(t0, us - us % 60000000, 0);
	ip4(cli, r);
	return sprintf(o, "tls 2.0 %sZ net/edge-nlb/0f1e2d3c4b5a6978 "
	    "c0ffee12345678ab %s:%u 10.2.0.15:443 %u %s %u %u %s "
	    "arn:aws:acm:us-east-1:111122223333:certificate/12345678-aaaa-bbbb-"
	    "cccc-1234567890ab - ECDHE-RSA-AES128-GCM-SHA256 tlsv1%u - "
	    "api.example.com %s %s %s %s\n", t, cli, 1024 + below(r, 64000),
	    below(r, 600000), below(r, 4) ? "-" : "4", below(r, 5000),
	    below(r, 90000), below(r, 3) ? "40" : "-", 2 + below(r, 2),
	    below(r, 2) ? "h2" : "http/1.1", below(r, 2) ? "h2" : "http/1.1",
	    below(r, 2) ? "\"h2\",\"http/1.1\"" : "-", t0);
}

static int
albconn_line(char *o, struct rng *r, uint64_t us)
{
	char t[40], cli[64];

	stamp(t, us, 6);
	if (below(r, 5) == 0)
		ip6(cli, r);
	else
		ip4(cli, r);
	return sprintf(o, "%sZ %s %u 443 TLSv1.3 TLS_AES_128_GCM_SHA256 0.%03u "
	    "\"CN=client-%u,O=Example,C=DE\" NotBefore=2025-01-01T00:00:00Z;"
	    "NotAfter=2026-01-01T00:00:00Z 0A1B2C3D4E5F %s TID_%016llx%016llx "
	    "X25519MLKEM768 app/shop-alb/1a2b3c4d5e6f7a8b 10.0.4.17\n", t, cli,
	    1024 + below(r, 64000), below(r, 100), below(r, 1000),
	    below(r, 20) ? "Success" : "Failed:C01",
	    (unsigned long long)next(r), (unsigned long long)next(r));
}

static uint64_t
parse_size(const char *s)
{
	char *e;
	uint64_t v = strtoull(s, &e, 10);

	if (*e == 'k')
		v <<= 10;
	else if (*e == 'm')
		v <<= 20;
	else if (*e == 'g')
		v <<= 30;
	return v;
}

int
main(int argc, char **argv)
{
	static char buf[1 << 20];
	const char *mix = NULL;
	uint64_t bytes = 100ULL << 20, written = 0, us = 0;
	struct rng r = { 1 };
	size_t len = 0;
	int i;

	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--mix") == 0)
			mix = argv[i + 1];
		else if (strcmp(argv[i], "--bytes") == 0)
			bytes = parse_size(argv[i + 1]);
		else if (strcmp(argv[i], "--seed") == 0)
			r.s = strtoull(argv[i + 1], NULL, 10);
		else
			break;
	}
	if (mix == NULL || i != argc || (strcmp(mix, "long") && strcmp(mix, "ipv6") &&
	    strcmp(mix, "clb") && strcmp(mix, "nlb") && strcmp(mix, "albconn"))) {
		fprintf(stderr, "usage: gen_mix --mix long|ipv6|clb|nlb|albconn "
		    "[--bytes N[k|m|g]] [--seed S]\n");
		return 2;
	}
	while (written < bytes) {
		int n;

		us += 1 + below(&r, 2000);
		if (mix[0] == 'l')
			n = alb_line(buf + len, &r, us, 1);
		else if (mix[0] == 'i')
			n = alb_line(buf + len, &r, us, 0);
		else if (mix[0] == 'c')
			n = clb_line(buf + len, &r, us);
		else if (mix[0] == 'n')
			n = nlb_line(buf + len, &r, us);
		else
			n = albconn_line(buf + len, &r, us);
		len += (size_t)n;
		written += (uint64_t)n;
		if (len > sizeof(buf) - 16384) {
			fwrite(buf, 1, len, stdout);
			len = 0;
		}
	}
	fwrite(buf, 1, len, stdout);
	return ferror(stdout) ? 1 : 0;
}
