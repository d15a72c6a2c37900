/*
 * gen_alb.c: deterministic generator of realistic AWS ALB access log lines.
 *
 *   gen_alb [--bytes N] [--lines N] [--seed S] [--gzip-members-every K]
 *
 * Writes '\n'-terminated ALB access log lines (the 33-field format of
 * docs: "ALB access log", with ~1% older 29-field lines) to stdout until at
 * least N bytes of log text were written (default 400 MiB; N takes the
 * suffixes k/K, m/M, g/G = KiB, MiB, GiB).  --lines stops after N lines
 * instead (whichever comes first when both are given).
 *
 * The same seed always gives the same output, byte for byte, on any
 * platform: the generator uses its own PRNG (splitmix64 seeding a
 * xoshiro256**) and no locale, time or floating point.  A shorter --bytes
 * gives a prefix of a longer run with the same seed.
 *
 * --gzip-members-every K: write multi-member gzip instead of text, one gzip
 * member per K lines, the way AWS delivers large ALB files.  Each member is
 * produced by piping through `gzip -6 -n` (found in PATH; override with the
 * environment variable GEN_ALB_GZIP), so the output is deterministic too.
 * --bytes still counts uncompressed bytes.
 *
 * Only libc.  Build: cc -std=c11 -O2 -Wall -Wextra -Werror -o gen_alb gen_alb.c
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ PRNG */

struct rng {
	uint64_t s[4];
};

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t rnext(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* Uniform in [0, n) (multiply-shift; the bias is irrelevant here). */
static inline uint32_t below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rnext(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [lo, hi]. */
static inline uint32_t range(struct rng *r, uint32_t lo, uint32_t hi)
{
	return lo + below(r, hi - lo + 1);
}

/* True with probability ppm / 1e6. */
static inline int chance(struct rng *r, uint32_t ppm)
{
	return below(r, 1000000) < ppm;
}

/* Skewed towards 0 (density ~ 1/sqrt(x)): a few values are very frequent (clients, products). */
static inline uint32_t skewed(struct rng *r, uint32_t n)
{
	uint64_t u = rnext(r) >> 40;		/* 24 bits */
	uint64_t v = (u * u) >> 24;		/* u^2, still 24 bits */
	return (uint32_t)((v * n) >> 24);
}

static unsigned ilog2(uint32_t v)
{
	unsigned b = 0;
	while (v >>= 1)
		b++;
	return b;
}

/*
 * Roughly log-uniform in [lo, hi], lo >= 1 (bytes, durations): pick a power
 * of two between lo and hi, then a value uniformly inside that octave.
 */
static uint32_t logish(struct rng *r, uint32_t lo, uint32_t hi)
{
	unsigned blo = ilog2(lo), bhi = ilog2(hi);
	unsigned b = blo + below(r, bhi - blo + 1);
	uint64_t a = UINT64_C(1) << b, z = (UINT64_C(1) << (b + 1)) - 1;
	if (a < lo)
		a = lo;
	if (z > hi)
		z = hi;
	return (uint32_t)(a + below(r, (uint32_t)(z - a + 1)));
}

/* ------------------------------------------------------- weighted tables */

#define WT_SLOTS 4096

struct wtable {
	uint8_t slot[WT_SLOTS];
};

static void wt_build(struct wtable *t, const uint32_t *w, size_t n)
{
	uint64_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += w[i];
	size_t k = 0;
	uint64_t acc = 0;
	for (size_t i = 0; i < n; i++) {
		acc += w[i];
		size_t end = (size_t)((acc * WT_SLOTS + total / 2) / total);
		if (i == n - 1)
			end = WT_SLOTS;
		while (k < end && k < WT_SLOTS)
			t->slot[k++] = (uint8_t)i;
	}
	while (k < WT_SLOTS)
		t->slot[k++] = (uint8_t)(n - 1);
}

static inline unsigned wt_pick(struct rng *r, const struct wtable *t)
{
	return t->slot[below(r, WT_SLOTS)];
}

/* -------------------------------------------------------- output helpers */

struct str {
	const char *s;
	uint16_t n;
};
#define S(lit) { lit, (uint16_t)(sizeof(lit) - 1) }
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define PUTL(p, lit) (memcpy((p), (lit), sizeof(lit) - 1), (p) + sizeof(lit) - 1)

static const char hexdig[] = "0123456789abcdef";

static inline char *put(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

static inline char *puts_(char *p, struct str s)
{
	return put(p, s.s, s.n);
}

static char *put_u(char *p, uint64_t v)
{
	char tmp[24];
	int i = 0;
	do {
		tmp[i++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (i)
		*p++ = tmp[--i];
	return p;
}

/* Exactly w digits, zero padded. */
static inline char *put_u0(char *p, uint32_t v, int w)
{
	for (int i = w - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + w;
}

/* n lowercase hex digits (n <= 16) from v. */
static inline char *put_hex(char *p, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		p[i] = hexdig[v & 15];
		v >>= 4;
	}
	return p + n;
}

static char *put_randhex(char *p, struct rng *r, int n)
{
	while (n > 0) {
		int k = n > 16 ? 16 : n;
		p = put_hex(p, rnext(r), k);
		n -= k;
	}
	return p;
}

/* Seconds with millisecond precision, or -1. */
static inline char *put_secs(char *p, int32_t ms)
{
	if (ms < 0)
		return PUTL(p, "-1");
	p = put_u(p, (uint32_t)ms / 1000);
	*p++ = '.';
	return put_u0(p, (uint32_t)ms % 1000, 3);
}

/* ---------------------------------------------------------------- time */

/* Days since 1970-01-01 -> civil date (H. Hinnant's algorithm). */
static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t yy = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yy + (*m <= 2));
}

static int64_t days_from_civil(int y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

struct tcache {
	int64_t sec;
	char text[20];		/* "YYYY-MM-DDTHH:MM:SS" */
};

/* ISO 8601 with microseconds: 2025-11-03T10:15:42.123456Z */
static char *put_time(char *p, struct tcache *c, int64_t us)
{
	int64_t sec = us / 1000000;
	uint32_t frac = (uint32_t)(us % 1000000);
	if (sec != c->sec) {
		int64_t days = sec / 86400;
		uint32_t sod = (uint32_t)(sec % 86400);
		int y;
		unsigned mo, d;
		civil_from_days(days, &y, &mo, &d);
		char *q = c->text;
		q = put_u0(q, (uint32_t)y, 4);
		*q++ = '-';
		q = put_u0(q, mo, 2);
		*q++ = '-';
		q = put_u0(q, d, 2);
		*q++ = 'T';
		q = put_u0(q, sod / 3600, 2);
		*q++ = ':';
		q = put_u0(q, sod / 60 % 60, 2);
		*q++ = ':';
		put_u0(q, sod % 60, 2);
		c->sec = sec;
	}
	p = put(p, c->text, 19);
	*p++ = '.';
	p = put_u0(p, frac, 6);
	*p++ = 'Z';
	return p;
}

/* ---------------------------------------------------------------- data */

enum ltype { T_HTTP, T_HTTPS, T_H2, T_GRPCS, T_WS, T_WSS, T_NTYPES };
static const struct str type_name[T_NTYPES] = {
	S("http"), S("https"), S("h2"), S("grpcs"), S("ws"), S("wss")
};
static const uint32_t type_w[T_NTYPES] = { 60, 520, 310, 80, 10, 20 };

#define LB_NAME "app/shop-alb/1a2b3c4d5e6f7a8b"
#define ARN_TG "arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/"
#define ARN_CERT "arn:aws:acm:eu-west-1:111122223333:certificate/"

/* Target groups; each has its targets 10.1.<subnet>.<host>:<port>. */
enum tg { TG_WEB, TG_API, TG_STATIC, TG_GRPC, TG_WS, TG_FN, TG_N };
static const struct {
	struct str arn;
	uint16_t port;
	uint8_t ntargets;	/* 0 = Lambda: target is always "-" */
	uint8_t subnet;
} tgs[TG_N] = {
	{ S(ARN_TG "shop-web/6d0ecf831eec9f09"), 8080, 6, 1 },
	{ S(ARN_TG "shop-api/73e2d6bc24d8a067"), 8080, 8, 2 },
	{ S(ARN_TG "shop-static/0123456789abcdef"), 80, 3, 3 },
	{ S(ARN_TG "catalog-grpc/5f1b2c3d4e5f6a7b"), 50051, 4, 4 },
	{ S(ARN_TG "live-ws/9a8b7c6d5e4f3a2b"), 8081, 2, 5 },
	{ S(ARN_TG "fn-webhooks/fedcba9876543210"), 0, 0, 0 },
};

static const struct str certs[] = {
	S(ARN_CERT "3f1c7a2e-5b8d-4e6f-9a0b-1c2d3e4f5a6b"),
	S(ARN_CERT "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"),
};

struct cipher {
	struct str name, proto;
};
static const struct cipher ciphers[] = {
	{ S("TLS_AES_128_GCM_SHA256"), S("TLSv1.3") },
	{ S("TLS_AES_256_GCM_SHA384"), S("TLSv1.3") },
	{ S("TLS_CHACHA20_POLY1305_SHA256"), S("TLSv1.3") },
	{ S("ECDHE-RSA-AES128-GCM-SHA256"), S("TLSv1.2") },
	{ S("ECDHE-RSA-AES256-GCM-SHA384"), S("TLSv1.2") },
	{ S("ECDHE-RSA-CHACHA20-POLY1305"), S("TLSv1.2") },
	{ S("ECDHE-RSA-AES128-SHA256"), S("TLSv1.2") },
};
static const uint32_t cipher_w[] = { 620, 120, 60, 150, 30, 10, 10 };

/* User agents, already in ALB's escaped form (\xHH for '"', '\', non-ASCII). */
static const struct str uas[] = {
	/* 0-11: desktop and mobile browsers */
	S("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36"),
	S("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"),
	S("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36"),
	S("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15"),
	S("Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0"),
	S("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0"),
	S("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"),
	S("Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1"),
	S("Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.6723.102 Mobile Safari/537.36"),
	S("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36"),
	S("Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36"),
	S("Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36"),
	/* 12-15: native apps */
	S("ShopApp/5.12.0 (iPhone; iOS 18.1; Scale/3.00)"),
	S("ShopApp/5.11.2 (Android 14; Pixel 8 Pro; okhttp/4.12.0)"),
	S("Dalvik/2.1.0 (Linux; U; Android 13; SM-A536B Build/TP1A.220624.014)"),
	S("okhttp/4.12.0"),
	/* 16-23: crawlers */
	S("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"),
	S("Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.6723.116 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"),
	S("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"),
	S("Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)"),
	S("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)"),
	S("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)"),
	S("Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)"),
	S("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"),
	/* 24-31: tools, SDKs, monitors */
	S("curl/8.5.0"),
	S("curl/7.88.1"),
	S("python-requests/2.32.3"),
	S("Go-http-client/1.1"),
	S("Wget/1.21.3"),
	S("PostmanRuntime/7.42.0"),
	S("Amazon CloudFront"),
	S("Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)"),
	/* 32-34: gRPC clients (used for grpcs lines) */
	S("grpc-go/1.67.1"),
	S("grpc-java-netty/1.68.0"),
	S("grpc-node-js/1.12.2"),
	/* 35-40: odd ones: escapes, quotes, scanners, empty */
	S("Mozilla/5.0 (compatible; Caf\\xC3\\xA9Bot/1.0; +http://caf\\xC3\\xA9.example/bot)"),
	S("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36 \\x22Injected\\x22"),
	S("sqlmap/1.8.11#stable (https://sqlmap.org)"),
	S("Mozilla/5.0 zgrab/0.x"),
	S("\\x5cx00\\x5cx01 scanner () { :; }; /bin/bash -c \\x22id\\x22"),
	S("-"),
	S("Mozilla/5.0 (Linux; Android 12; Redmi Note 11) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/116.0 Mobile Safari/537.36 M\\xC3\\xBCnchenApp/2.3"),
};
static const uint32_t ua_w[NELEM(uas)] = {
	150, 50, 80, 60, 20, 25, 120, 20, 70, 35, 15, 6,	/* browsers */
	330, 240, 20, 70,					/* apps */
	25, 25, 12, 10, 6, 8, 5, 5,				/* crawlers */
	30, 10, 30, 25, 2, 5, 4, 2,				/* tools */
	0, 0, 0,						/* grpc only */
	1, 1, 1, 1, 1, 2, 1,					/* odd */
};
#define UA_GRPC0 32
#define UA_CURL 24
#define UA_NONE 40
#define UA_CLOUDFRONT 30

static const struct str methods[] = {
	S("GET"), S("POST"), S("PUT"), S("DELETE"), S("HEAD"), S("OPTIONS"), S("PATCH")
};

static const struct str slugs[] = {
	S("trail-running-shoe"), S("merino-wool-sweater"), S("waterproof-jacket"),
	S("leather-weekender-bag"), S("ceramic-pour-over-set"), S("linen-bed-sheets"),
	S("wireless-earbuds-pro"), S("kids-rain-boots"), S("yoga-mat-6mm"),
	S("stainless-water-bottle-750ml"), S("caf\\xC3\\xA9-au-lait-mug"),
	S("cast-iron-skillet-28cm"), S("down-puffer-vest"), S("canvas-sneaker-low"),
	S("smart-watch-band"), S("organic-cotton-tee"),
};

static const struct str categories[] = {
	S("women/shoes"), S("men/jackets"), S("home/kitchen"), S("kids/outdoor"),
	S("electronics/audio"), S("sale"), S("new-arrivals"), S("gifts/under-50"),
	S("home/bedding"), S("sport/running"),
};

static const struct str sorts[] = {
	S("relevance"), S("price_asc"), S("price_desc"), S("newest"), S("rating"),
};

/* Search terms, as sent (percent-encoding) and as ALB escapes them (\xHH). */
static const struct str searches[] = {
	S("running+shoes"), S("rain+jacket+women"), S("wireless+earbuds"),
	S("gift+card"), S("yoga+mat"), S("caf\\xC3\\xA9+mug"),
	S("\\x22summer+dress\\x22"), S("cr\\xC3\\xA8me+br\\xC3\\xBBl\\xC3\\xA9e+torch"),
	S("ni\\xC3\\xB1os+zapatos"), S("M\\xC3\\xBCller+tasche"),
	S("\\xE2\\x82\\xAC50+gutschein"), S("C:\\x5cUsers\\x5cPublic"),
	S("laptop+sleeve+15%22"), S("%E2%9C%93+free+shipping"),
	S("\\xF0\\x9F\\x91\\x9F+sneakers"), S("%27%20OR%201=1--"),
	S("\\x22%3E%3Cscript%3Ealert(1)%3C/script%3E"), S("kids+rain+boots+size+30"),
};
static const uint32_t search_w[NELEM(searches)] = {
	20, 14, 14, 10, 10, 4, 3, 2, 3, 2, 2, 1, 3, 2, 1, 1, 1, 8
};

static const struct str api_paths[] = {
	S("/api/v1/cart"), S("/api/v1/recommendations"), S("/api/v2/products"),
	S("/api/v1/session"), S("/api/v1/events"), S("/api/v1/inventory"),
	S("/graphql"), S("/api/v1/wishlist"), S("/api/v1/prices"),
};

static const struct str grpc_methods[] = {
	S("/shop.catalog.v1.CatalogService/GetProduct"),
	S("/shop.catalog.v1.CatalogService/ListProducts"),
	S("/shop.pricing.v1.PricingService/Quote"),
	S("/shop.inventory.v1.InventoryService/Reserve"),
	S("/grpc.health.v1.Health/Check"),
};

static const struct str scan_paths[] = {
	S("/wp-login.php"), S("/.env"), S("/phpmyadmin/index.php"),
	S("/.git/config"), S("/cgi-bin/luci/;stok=/locale"),
	S("/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php"),
	S("/actuator/health"), S("/owa/auth/logon.aspx"),
	S("/index.php?s=/Index/\\x5cthink\\x5capp/invokefunction"),
	S("/boaform/admin/formLogin"),
};

static const struct str utm_sources[] = {
	S("utm_source=google&utm_medium=cpc&utm_campaign=black_friday_2025&gclid="),
	S("utm_source=facebook&utm_medium=paid_social&utm_campaign=winter_sale&fbclid="),
	S("utm_source=newsletter&utm_medium=email&utm_campaign=2025-11-03_weekly&mc_eid="),
};

static const struct str error_reasons[] = {
	S("LambdaInvalidResponse"), S("LambdaUnhandled"), S("LambdaThrottling"),
	S("LambdaResponseTooLarge"), S("WAFConnectionTimeout"),
	S("AuthInvalidCookie"), S("AWSALBTGCookieInvalid"),
};

struct classif {
	struct str cls, reason;
};
static const struct classif classifs[] = {
	{ S("Acceptable"), S("SpaceInUri") },
	{ S("Acceptable"), S("NonCompliantHeader") },
	{ S("Ambiguous"), S("UndefinedContentLengthSemantics") },
	{ S("Ambiguous"), S("GetHeadZeroContentLength") },
	{ S("Severe"), S("BothTeClPresent") },
	{ S("Acceptable"), S("BadVersion") },
};

/* Status codes for responses that came from a target. */
static const uint16_t statuses[] = { 200, 304, 404, 201, 204, 301, 302, 400, 403, 401, 500, 206, 429, 503 };
static const uint32_t status_w[] = { 8200, 500, 380, 120, 120, 90, 80, 140, 60, 60, 110, 20, 30, 20 };

/* ------------------------------------------------------------- clients */

#define N_V4 24000
#define N_V6 3000

struct ipstr {
	char s[48];
	uint8_t n;
};

static struct ipstr *ips_v4, *ips_v6;

static char *put_v6group(char *p, uint32_t g)
{
	int started = 0;
	for (int sh = 12; sh >= 0; sh -= 4) {
		unsigned d = (g >> sh) & 15;
		if (d || started || sh == 0) {
			*p++ = hexdig[d];
			started = 1;
		}
	}
	return p;
}

static void make_ips(struct rng *r)
{
	ips_v4 = malloc(sizeof *ips_v4 * N_V4);
	ips_v6 = malloc(sizeof *ips_v6 * N_V6);
	if (!ips_v4 || !ips_v6) {
		fprintf(stderr, "gen_alb: out of memory\n");
		exit(1);
	}
	for (int i = 0; i < N_V4; i++) {
		uint32_t a;
		do
			a = range(r, 1, 223);
		while (a == 10 || a == 127 || a == 100 || a == 172 || a == 192 || a == 169);
		char *p = ips_v4[i].s;
		p = put_u(p, a);
		*p++ = '.';
		p = put_u(p, below(r, 256));
		*p++ = '.';
		p = put_u(p, below(r, 256));
		*p++ = '.';
		p = put_u(p, range(r, 1, 254));
		ips_v4[i].n = (uint8_t)(p - ips_v4[i].s);
	}
	static const struct str pfx[] = {
		S("2a02:"), S("2600:"), S("2001:db8:"), S("2406:"), S("2803:"), S("2a01:"), S("2604:")
	};
	for (int i = 0; i < N_V6; i++) {
		char *p = ips_v6[i].s;
		struct str pf = pfx[below(r, NELEM(pfx))];
		p = puts_(p, pf);
		int groups = pf.n == 9 ? 6 : 7;	/* groups still to write */
		int zrun = chance(r, 400000) ? (int)range(r, 2, 3) : 0;
		int zat = zrun ? (int)range(r, 1, (uint32_t)(groups - zrun)) : -1;
		for (int g = 0; g < groups; g++) {
			if (g == zat) {
				*p++ = ':';		/* "x:" + ":" = "x::" */
				g += zrun - 1;
				continue;
			}
			p = put_v6group(p, g == 0 && pf.n == 9 ? below(r, 0x100) : below(r, 0x10000));
			if (g != groups - 1)
				*p++ = ':';
		}
		ips_v6[i].n = (uint8_t)(p - ips_v6[i].s);
	}
}

enum kind {
	K_HOME, K_PRODUCT, K_CATEGORY, K_SEARCH, K_STATIC, K_IMAGE, K_API,
	K_ACCOUNT, K_LANDING, K_MISC, K_SCAN, K_FN, K_NKINDS
};
static const uint32_t kind_w[K_NKINDS] = { 40, 170, 70, 50, 170, 190, 230, 30, 25, 15, 6, 4 };

/* A connection, reused for keep-alive requests from the same client. */
struct conn {
	uint8_t used, type, ipv6, bracket, cipher, ua, cert; /* cert: 0 none, 1 reused, 2+ arn */
	uint16_t port;
	uint32_t ip;
	uint64_t tid_hi, tid_lo;
};

#define N_CONN 1024

/* -------------------------------------------------------------- a line */

struct gen {
	struct rng r;
	int64_t now_us;
	struct tcache tc_time, tc_req;
	struct conn conns[N_CONN];
	struct wtable w_type, w_ua, w_cipher, w_status, w_search, w_kind;
	uint64_t lines;
};

/*
 * Writes one line into p (at most ~6 KiB) and returns the end.
 */
static char *gen_line(struct gen *g, char *p)
{
	struct rng *r = &g->r;

	/* Time moves on 0..2 ms per line (~1000 requests per second). */
	g->now_us += below(r, 2000) + 1;
	g->lines++;

	/* Connection: reuse a recent one (keep-alive) or open a new one. */
	struct conn *c = &g->conns[below(r, N_CONN)];
	int reuse = c->used && c->type != T_WS && c->type != T_WSS && chance(r, 350000);
	struct conn fresh;
	if (!reuse) {
		c = &fresh;
		memset(c, 0, sizeof *c);
		c->used = 1;
		c->type = (uint8_t)wt_pick(r, &g->w_type);
		c->ipv6 = chance(r, 100000);
		c->bracket = c->ipv6 && chance(r, 50000);
		c->ip = c->ipv6 ? skewed(r, N_V6) : skewed(r, N_V4);
		c->port = (uint16_t)range(r, 1024, 65535);
		c->cipher = (uint8_t)wt_pick(r, &g->w_cipher);
		c->ua = c->type == T_GRPCS ? (uint8_t)(UA_GRPC0 + below(r, 3)) : (uint8_t)wt_pick(r, &g->w_ua);
		if (c->type != T_HTTP && c->type != T_WS)
			c->cert = chance(r, 700000) ? 1 : (uint8_t)(2 + (chance(r, 900000) ? 0 : 1));
		c->tid_hi = rnext(r);
		c->tid_lo = rnext(r);
		g->conns[below(r, N_CONN)] = fresh;
	}
	enum ltype type = (enum ltype)c->type;
	int tls = type != T_HTTP && type != T_WS;

	/* ---- decide what the request is and what happened to it ---- */
	enum kind kind = (enum kind)wt_pick(r, &g->w_kind);
	enum tg tg = TG_WEB;
	struct str host = S("www.shop.example.com");
	int iphost = 0;			/* Host: is a bare IP (scanners) */
	int cf_origin = chance(r, 700000);	/* static: fetched by CloudFront */
	unsigned method = 0;
	int prio = 10;
	int ver = 1;			/* 0: HTTP/1.0, 1: HTTP/1.1, 2: HTTP/2.0 */
	uint32_t body = 0;		/* request body bytes */
	uint32_t sent_lo = 200, sent_hi = 2000;
	if (type == T_H2 || type == T_GRPCS)
		ver = 2;

	char path[1536];
	char *q = path;

	if (type == T_GRPCS) {
		tg = TG_GRPC;
		host = (struct str)S("grpc.shop.example.com");
		prio = 40;
		method = 1;
		body = logish(r, 20, 4000);
		sent_lo = 30, sent_hi = 20000;
		q = puts_(q, grpc_methods[below(r, NELEM(grpc_methods))]);
	} else if (type == T_WS || type == T_WSS) {
		tg = TG_WS;
		host = (struct str)S("live.shop.example.com");
		prio = 50;
		sent_lo = 400, sent_hi = 4000000;
		q = PUTL(q, "/socket.io/?EIO=4&transport=websocket&sid=");
		q = put_randhex(q, r, 20);
	} else {
		switch (kind) {
		case K_HOME:
			*q++ = '/';
			sent_lo = 20000, sent_hi = 90000;
			break;
		case K_PRODUCT:
			q = PUTL(q, "/products/");
			q = puts_(q, slugs[skewed(r, NELEM(slugs))]);
			*q++ = '-';
			q = put_u(q, 100000 + skewed(r, 90000));
			if (chance(r, 300000)) {
				q = PUTL(q, "?variant=");
				q = put_u(q, range(r, 40000000, 49999999));
				if (chance(r, 300000))
					q = PUTL(q, "&size=M&color=navy");
			}
			sent_lo = 15000, sent_hi = 120000;
			break;
		case K_CATEGORY:
			q = PUTL(q, "/c/");
			q = puts_(q, categories[below(r, NELEM(categories))]);
			q = PUTL(q, "?page=");
			q = put_u(q, 1 + skewed(r, 20));
			q = PUTL(q, "&sort=");
			q = puts_(q, sorts[below(r, NELEM(sorts))]);
			if (chance(r, 200000))
				q = PUTL(q, "&filter[brand]=northwind&filter[price]=25-100");
			sent_lo = 20000, sent_hi = 150000;
			break;
		case K_SEARCH:
			q = PUTL(q, "/search?q=");
			q = puts_(q, searches[wt_pick(r, &g->w_search)]);
			if (chance(r, 400000)) {
				q = PUTL(q, "&page=");
				q = put_u(q, 1 + below(r, 5));
			}
			sent_lo = 8000, sent_hi = 100000;
			break;
		case K_STATIC:
			tg = TG_STATIC;
			host = (struct str)S("static.shop.example.com");
			prio = 30;
			if (chance(r, 500000)) {
				q = PUTL(q, "/assets/js/");
				static const struct str js[] = { S("app"), S("vendor"), S("runtime"), S("checkout"), S("product-page") };
				q = puts_(q, js[below(r, NELEM(js))]);
				*q++ = '.';
				q = put_randhex(q, r, 8);
				q = PUTL(q, ".js");
				sent_lo = 3000, sent_hi = 600000;
			} else if (chance(r, 600000)) {
				q = PUTL(q, "/assets/css/main.");
				q = put_randhex(q, r, 8);
				q = PUTL(q, ".css");
				sent_lo = 5000, sent_hi = 90000;
			} else {
				q = PUTL(q, "/assets/fonts/inter-var-latin.");
				q = put_randhex(q, r, 8);
				q = PUTL(q, ".woff2");
				sent_lo = 30000, sent_hi = 110000;
			}
			break;
		case K_IMAGE:
			tg = TG_STATIC;
			host = (struct str)S("static.shop.example.com");
			prio = 30;
			q = PUTL(q, "/images/products/");
			q = put_u(q, 100000 + skewed(r, 90000));
			*q++ = '/';
			q = put_u(q, 1 + below(r, 6));
			{
				static const struct str sz[] = { S("_400x400.webp"), S("_800x800.webp"), S("_1600x1600.jpg"), S("_thumb.webp") };
				q = puts_(q, sz[below(r, NELEM(sz))]);
			}
			if (chance(r, 250000))
				q = PUTL(q, "?auto=format&q=75");
			sent_lo = 4000, sent_hi = 400000;
			break;
		case K_API:
			tg = TG_API;
			host = (struct str)S("api.shop.example.com");
			prio = 20;
			{
				unsigned ap = below(r, NELEM(api_paths));
				q = puts_(q, api_paths[ap]);
				if (ap == 0 || ap == 7) {			/* cart, wishlist */
					*q++ = '/';
					q = put_randhex(q, r, 8);
					*q++ = '-';
					q = put_randhex(q, r, 4);
					q = PUTL(q, "-4");
					q = put_randhex(q, r, 3);
					*q++ = '-';
					q = put_randhex(q, r, 4);
					*q++ = '-';
					q = put_randhex(q, r, 12);
					if (chance(r, 500000)) {
						q = PUTL(q, "/items");
						method = chance(r, 600000) ? 1 : (chance(r, 500000) ? 3 : 6);
					}
				} else if (ap == 1) {
					q = PUTL(q, "?user=");
					q = put_randhex(q, r, 24);
					q = PUTL(q, "&limit=24&context=pdp");
				} else if (ap == 2) {
					q = PUTL(q, "?ids=");
					unsigned n = range(r, 1, 6);
					for (unsigned i = 0; i < n; i++) {
						if (i)
							q = PUTL(q, "%2C");
						q = put_u(q, 100000 + skewed(r, 90000));
					}
					q = PUTL(q, "&fields=price,stock,title");
				} else if (ap == 4) {
					method = 1;
					body = logish(r, 200, 16000);
				} else if (ap == 6) {
					method = 1;
					body = logish(r, 150, 3000);
					q = PUTL(q, "?operationName=GetProductDetails");
				} else if (ap == 5 && chance(r, 500000)) {
					method = 2;
					body = logish(r, 80, 1200);
				}
				if (method == 0 && chance(r, 40000))
					method = 5;		/* CORS preflight */
			}
			sent_lo = 100, sent_hi = 30000;
			break;
		case K_ACCOUNT:
			{
				static const struct str acc[] = {
					S("/account/orders"), S("/checkout/shipping"), S("/checkout/payment"),
					S("/account/addresses"), S("/cart"),
				};
				unsigned a = below(r, NELEM(acc));
				q = puts_(q, acc[a]);
				if (a == 0 && chance(r, 500000)) {
					*q++ = '/';
					q = PUTL(q, "SO-");
					q = put_u(q, range(r, 10000000, 99999999));
				}
				if ((a == 1 || a == 2) && chance(r, 400000)) {
					method = 1;
					body = logish(r, 300, 4000);
				}
			}
			prio = 5;
			sent_lo = 8000, sent_hi = 60000;
			break;
		case K_LANDING:
			q = PUTL(q, "/lp/");
			q = puts_(q, categories[below(r, NELEM(categories))]);
			*q++ = '?';
			q = puts_(q, utm_sources[below(r, NELEM(utm_sources))]);
			q = PUTL(q, "Cj0KCQiA");
			q = put_randhex(q, r, 48);
			q = PUTL(q, "_BwE");
			sent_lo = 30000, sent_hi = 120000;
			break;
		case K_MISC:
			{
				static const struct str misc[] = {
					S("/robots.txt"), S("/sitemap.xml"), S("/favicon.ico"),
					S("/.well-known/apple-app-site-association"), S("/manifest.webmanifest"),
					S("/help/returns%20policy"), S("/stores/m\\xC3\\xBCnchen"),
				};
				q = puts_(q, misc[below(r, NELEM(misc))]);
			}
			sent_lo = 300, sent_hi = 40000;
			break;
		case K_SCAN:
			q = puts_(q, scan_paths[below(r, NELEM(scan_paths))]);
			if (chance(r, 500000)) {
				host = (struct str)S("203.0.113.10");
				iphost = 1;
			}
			prio = 10;
			if (chance(r, 300000))
				method = 1;
			break;
		case K_FN:
			tg = TG_FN;
			host = (struct str)S("api.shop.example.com");
			prio = 25;
			q = PUTL(q, "/hooks/");
			{
				static const struct str hk[] = { S("stripe"), S("shipping-status"), S("erp-sync") };
				q = puts_(q, hk[below(r, NELEM(hk))]);
			}
			method = 1;
			body = logish(r, 400, 20000);
			sent_lo = 40, sent_hi = 400;
			break;
		case K_NKINDS:
			break;
		}
		if (method == 0 && chance(r, 8000))
			method = 4;			/* HEAD */
	}
	if (ver == 1 && type == T_HTTP && chance(r, 20000))
		ver = 0;
	size_t pathlen = (size_t)(q - path);

	/* Outcome. */
	enum { O_FORWARD, O_REDIRECT, O_MALFORMED, O_MALFORMED2, O_WAF, O_460, O_502, O_503, O_504, O_FIXED };
	int out = O_FORWARD;
	int waf = tg == TG_WEB || tg == TG_API || tg == TG_FN ? chance(r, 400000) : 0;
	int auth = kind == K_ACCOUNT && type != T_HTTP && tg == TG_WEB;
	if (type == T_HTTP && chance(r, 550000))
		out = O_REDIRECT;
	else if (chance(r, 2500))
		out = O_MALFORMED;
	else if (chance(r, 400))
		out = O_MALFORMED2;
	else if (iphost)
		out = O_FIXED;
	else if (waf && (kind == K_SCAN ? chance(r, 700000) : chance(r, 6000)))
		out = O_WAF;
	else if (chance(r, 8000))
		out = O_460;
	else if (chance(r, tg == TG_FN ? 40000 : 7000))
		out = O_502;
	else if (chance(r, 3000))
		out = O_503;
	else if (chance(r, 5000))
		out = O_504;

	int status, tstatus;		/* -1 = "-" */
	int32_t t_req = (int32_t)(chance(r, 900000) ? below(r, 2) : below(r, 6));
	int32_t t_tgt = (int32_t)logish(r, 1, 900);
	int32_t t_resp = chance(r, 950000) ? 0 : (int32_t)below(r, 3);
	int has_target = tgs[tg].ntargets != 0;
	int has_tg = 1;
	struct str actions = waf ? (struct str)S("waf,forward") : (struct str)S("forward");
	if (auth)
		actions = waf ? (struct str)S("waf,authenticate,forward") : (struct str)S("authenticate,forward");
	int redirect = 0;
	int err = -1;
	uint32_t sent;

	if (kind == K_API && tg == TG_API && chance(r, 30000))
		t_tgt = (int32_t)logish(r, 900, 12000);		/* slow tail */
	if (type == T_WS || type == T_WSS) {
		status = tstatus = 101;
		t_tgt = (int32_t)below(r, 4);
	} else {
		status = tstatus = statuses[wt_pick(r, &g->w_status)];
	}
	if (kind == K_SCAN && out == O_FORWARD)
		status = tstatus = chance(r, 900000) ? 404 : 403;
	if (type == T_GRPCS && status != 200)
		status = tstatus = 200;	/* gRPC errors travel in trailers */

	switch (out) {
	case O_FORWARD:
		break;
	case O_REDIRECT:
		status = 301, tstatus = -1;
		has_target = 0, has_tg = 0;
		t_req = 0, t_tgt = (int32_t)below(r, 2), t_resp = 0;
		actions = (struct str)S("redirect");
		redirect = 1;
		prio = 1;
		break;
	case O_MALFORMED:
	case O_MALFORMED2:
		status = 400, tstatus = -1;
		has_target = 0, has_tg = 0;
		t_req = t_tgt = t_resp = -1;
		actions = (struct str)S("-");
		prio = -2;
		break;
	case O_FIXED:
		status = 404, tstatus = -1;
		has_target = 0, has_tg = 0;
		t_req = 0, t_tgt = 0, t_resp = 0;
		actions = (struct str)S("fixed-response");
		prio = 0;
		break;
	case O_WAF:
		status = 403, tstatus = -1;
		has_target = 0, has_tg = 0;
		t_req = t_tgt = t_resp = -1;
		actions = (struct str)S("waf");
		if (chance(r, 20000))
			err = 4;
		break;
	case O_460:
		status = 460, tstatus = -1;
		t_tgt = t_resp = -1;
		break;
	case O_502:
		status = 502, tstatus = -1;
		t_tgt = -1, t_resp = -1;
		if (tg == TG_FN)
			err = (int)below(r, 4);
		break;
	case O_503:
		status = 503, tstatus = -1;
		has_target = 0;
		t_req = t_tgt = t_resp = -1;
		break;
	case O_504:
		status = 504, tstatus = -1;
		t_tgt = t_resp = -1;
		break;
	}
	if (tg == TG_FN && out == O_FORWARD && status == 200 && chance(r, 10000))
		err = 0;
	if (auth && out == O_FORWARD && status == 401 && chance(r, 300000))
		err = 5;
	if (tg == TG_WEB && out == O_FORWARD && chance(r, 1500))
		err = 6;

	if (status == 304)
		sent = range(r, 150, 420);
	else if (status >= 300 && status < 400)
		sent = range(r, 180, 600);
	else if (status >= 400 && status != 404)
		sent = range(r, 100, 900);
	else if (status == 404)
		sent = range(r, 300, 6000);
	else if (method == 4)
		sent = range(r, 200, 700);
	else
		sent = logish(r, sent_lo, sent_hi);
	if (status == 204)
		sent = range(r, 120, 300);

	int malformed = out == O_MALFORMED || out == O_MALFORMED2;
	unsigned ua = malformed ? UA_NONE : c->ua;
	/* static.shop.example.com sits behind CloudFront: most of its
	 * requests are CloudFront origin fetches. */
	if (tg == TG_STATIC && !malformed && cf_origin)
		ua = UA_CLOUDFRONT;
	if (kind == K_SCAN && !malformed)
		ua = chance(r, 500000) ? (unsigned)UA_CURL + 1 + below(r, 4) : 37 + below(r, 3);

	/* Timestamps: time = response time; request_creation_time is earlier. */
	int64_t t_resp_us = g->now_us;
	int64_t dur_us = 0;
	if (t_req > 0)
		dur_us += t_req * 1000;
	if (t_tgt > 0)
		dur_us += t_tgt * 1000;
	if (t_resp > 0)
		dur_us += t_resp * 1000;
	dur_us += below(r, 1000);
	if (type == T_WS || type == T_WSS)
		dur_us += (int64_t)logish(r, 1000, 1800000) * 1000;	/* up to 30 min */
	if (out == O_504)
		dur_us += 60000000;
	int64_t t_create_us = t_resp_us - dur_us;

	unsigned target = has_target ? below(r, tgs[tg].ntargets) : 0;

	/* ---------------- write the line ---------------- */
	p = puts_(p, type_name[type]);
	*p++ = ' ';
	p = put_time(p, &g->tc_time, t_resp_us);
	p = PUTL(p, " " LB_NAME " ");
	if (c->ipv6) {
		if (c->bracket)
			*p++ = '[';
		p = put(p, ips_v6[c->ip].s, ips_v6[c->ip].n);
		if (c->bracket)
			*p++ = ']';
	} else {
		p = put(p, ips_v4[c->ip].s, ips_v4[c->ip].n);
	}
	*p++ = ':';
	p = put_u(p, c->port);
	*p++ = ' ';

	char tgt[32];
	size_t tgtn = 0;
	if (has_target) {
		char *t = tgt;
		t = PUTL(t, "10.1.");
		t = put_u(t, tgs[tg].subnet);
		*t++ = '.';
		t = put_u(t, 11 + target * 7);
		*t++ = ':';
		t = put_u(t, tgs[tg].port);
		tgtn = (size_t)(t - tgt);
		p = put(p, tgt, tgtn);
	} else {
		*p++ = '-';
	}
	*p++ = ' ';
	p = put_secs(p, t_req);
	*p++ = ' ';
	p = put_secs(p, t_tgt);
	*p++ = ' ';
	p = put_secs(p, t_resp);
	*p++ = ' ';
	p = put_u(p, (uint64_t)status);
	*p++ = ' ';
	if (tstatus < 0)
		*p++ = '-';
	else
		p = put_u(p, (uint64_t)tstatus);
	*p++ = ' ';

	/* request: method scheme://host:port/path version */
	char *reqstart = NULL;
	size_t reqlen = 0;
	uint32_t rcvd;
	if (out == O_MALFORMED) {
		p = put_u(p, range(r, 0, 300));	/* received_bytes */
		*p++ = ' ';
		p = put_u(p, range(r, 120, 300));	/* sent_bytes */
		p = PUTL(p, " \"- - -\" ");
	} else {
		const char *scheme = tls ? "https://" : "http://";
		const char *port = tls ? ":443" : ":80";
		char req[2048];
		char *w = req;
		if (out == O_MALFORMED2) {
			w = PUTL(w, "- http://");
			w = puts_(w, host);
			w = PUTL(w, ":80- -");
		} else {
			w = puts_(w, methods[method]);
			*w++ = ' ';
			w = put(w, scheme, strlen(scheme));
			w = puts_(w, host);
			w = put(w, port, strlen(port));
			w = put(w, path, pathlen);
			w = ver == 2 ? PUTL(w, " HTTP/2.0") : ver == 1 ? PUTL(w, " HTTP/1.1") : PUTL(w, " HTTP/1.0");
		}
		reqlen = (size_t)(w - req);
		rcvd = (uint32_t)reqlen + uas[ua].n + range(r, 250, 1400) + body;
		if (type == T_WS || type == T_WSS)
			rcvd += logish(r, 100, 200000);
		if (ver == 2)
			rcvd = rcvd * 2 / 5 + body * 3 / 5;	/* HPACK */
		if (malformed)
			sent = range(r, 120, 300);
		p = put_u(p, rcvd);
		*p++ = ' ';
		p = put_u(p, sent);
		p = PUTL(p, " \"");
		reqstart = p;
		p = put(p, req, reqlen);
		p = PUTL(p, "\" ");
	}
	*p++ = '"';
	p = puts_(p, uas[ua]);
	p = PUTL(p, "\" ");

	if (tls && !malformed) {
		p = puts_(p, ciphers[c->cipher].name);
		*p++ = ' ';
		p = puts_(p, ciphers[c->cipher].proto);
	} else {
		p = PUTL(p, "- -");
	}
	*p++ = ' ';
	if (has_tg)
		p = puts_(p, tgs[tg].arn);
	else
		*p++ = '-';

	/* trace id */
	if (malformed) {
		p = PUTL(p, " \"-\" ");
	} else {
		p = PUTL(p, " \"");
		if (chance(r, 15000)) {
			p = PUTL(p, "Self=1-");
			p = put_hex(p, (uint64_t)(t_resp_us / 1000000), 8);
			*p++ = '-';
			p = put_randhex(p, r, 24);
			*p++ = ';';
		}
		p = PUTL(p, "Root=1-");
		p = put_hex(p, (uint64_t)(t_create_us / 1000000), 8);
		*p++ = '-';
		p = put_randhex(p, r, 24);
		p = PUTL(p, "\" ");
	}
	/* domain (SNI) and cert */
	if (tls && !malformed && !iphost) {
		*p++ = '"';
		p = puts_(p, host);
		p = PUTL(p, "\" \"");
		if (c->cert == 1)
			p = PUTL(p, "session-reused");
		else
			p = puts_(p, certs[c->cert - 2]);
		p = PUTL(p, "\" ");
	} else {
		p = PUTL(p, "\"-\" \"-\" ");
	}
	/* rule priority */
	if (prio == -2)
		*p++ = '-';
	else if (prio < 0)
		p = PUTL(p, "-1");
	else
		p = put_u(p, (uint64_t)prio);
	*p++ = ' ';
	p = put_time(p, &g->tc_req, t_create_us);
	p = PUTL(p, " \"");
	p = puts_(p, actions);
	p = PUTL(p, "\" \"");
	if (redirect && reqstart) {
		p = PUTL(p, "https://");
		p = puts_(p, host);
		p = PUTL(p, ":443");
		p = put(p, path, pathlen);
	} else {
		*p++ = '-';
	}
	p = PUTL(p, "\" \"");
	if (err >= 0)
		p = puts_(p, error_reasons[err]);
	else
		*p++ = '-';
	p = PUTL(p, "\" \"");
	if (has_target)
		p = put(p, tgt, tgtn);
	else
		*p++ = '-';
	p = PUTL(p, "\" \"");
	if (tstatus >= 0)
		p = put_u(p, (uint64_t)tstatus);
	else
		*p++ = '-';
	p = PUTL(p, "\" ");
	if (chance(r, 4000)) {
		const struct classif *k = &classifs[below(r, NELEM(classifs))];
		*p++ = '"';
		p = puts_(p, k->cls);
		p = PUTL(p, "\" \"");
		p = puts_(p, k->reason);
		*p++ = '"';
	} else {
		p = PUTL(p, "\"-\" \"-\"");
	}
	/* ~1% older 29-field lines: no conn_trace_id / transform fields. */
	if (!chance(r, 10000)) {
		p = PUTL(p, " TID_");
		p = put_hex(p, c->tid_hi, 16);
		p = put_hex(p, c->tid_lo, 16);
		p = PUTL(p, " \"-\" \"-\" \"-\"");
	}
	*p++ = '\n';
	return p;
}

static void gen_init(struct gen *g, uint64_t seed)
{
	memset(g, 0, sizeof *g);
	rng_seed(&g->r, seed);
	make_ips(&g->r);
	/* 2025-11-03T10:00:00Z */
	g->now_us = (days_from_civil(2025, 11, 3) * 86400 + 10 * 3600) * INT64_C(1000000);
	g->tc_time.sec = g->tc_req.sec = -1;
	wt_build(&g->w_type, type_w, T_NTYPES);
	wt_build(&g->w_ua, ua_w, NELEM(uas));
	wt_build(&g->w_cipher, cipher_w, NELEM(ciphers));
	wt_build(&g->w_status, status_w, NELEM(statuses));
	wt_build(&g->w_search, search_w, NELEM(searches));
	wt_build(&g->w_kind, kind_w, K_NKINDS);
}

/* ---------------------------------------------------------------- main */

static void usage(FILE *f)
{
	fputs("usage: gen_alb [--bytes N[k|m|g]] [--lines N] [--seed S] [--gzip-members-every K]\n"
	      "  Writes deterministic synthetic AWS ALB access log lines to stdout\n"
	      "  until at least N bytes (default 400m = 400 MiB) or N lines.\n"
	      "  --gzip-members-every K  write multi-member gzip, one member per K lines\n"
	      "                          (pipes each member through `gzip -6 -n`,\n"
	      "                          or $GEN_ALB_GZIP)\n", f);
}

static int parse_u64(const char *s, uint64_t *out, int suffixes)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || end == s || *s == '-')
		return -1;
	uint64_t mul = 1;
	if (suffixes && *end) {
		switch (*end) {
		case 'k': case 'K': mul = UINT64_C(1) << 10; break;
		case 'm': case 'M': mul = UINT64_C(1) << 20; break;
		case 'g': case 'G': mul = UINT64_C(1) << 30; break;
		default: return -1;
		}
		end++;
		if (*end == 'i' && end[1] == 'B')
			end += 2;
		else if (*end == 'B')
			end++;
	}
	if (*end)
		return -1;
	if (v > UINT64_MAX / mul)
		return -1;
	*out = (uint64_t)v * mul;
	return 0;
}

#define OUTBUF (1u << 20)
#define LINE_MAX_BYTES 8192

int main(int argc, char **argv)
{
	uint64_t max_bytes = UINT64_C(400) << 20;
	uint64_t max_lines = UINT64_MAX;
	uint64_t seed = 1;
	uint64_t member_lines = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = NULL;
		const char *eq = strchr(a, '=');
		char name[64];
		if (a[0] == '-' && a[1] == '-' && eq && (size_t)(eq - a) < sizeof name) {
			memcpy(name, a, (size_t)(eq - a));
			name[eq - a] = 0;
			v = eq + 1;
			a = name;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		}
		int known = !strcmp(a, "--bytes") || !strcmp(a, "--lines") ||
			    !strcmp(a, "--seed") || !strcmp(a, "--gzip-members-every");
		if (!known) {
			fprintf(stderr, "gen_alb: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		}
		if (!v) {
			if (i + 1 >= argc) {
				fprintf(stderr, "gen_alb: %s needs a value\n", a);
				return 2;
			}
			v = argv[++i];
		}
		uint64_t *dst = !strcmp(a, "--bytes") ? &max_bytes :
				!strcmp(a, "--lines") ? &max_lines :
				!strcmp(a, "--seed") ? &seed : &member_lines;
		if (parse_u64(v, dst, dst == &max_bytes) != 0) {
			fprintf(stderr, "gen_alb: bad value for %s: '%s'\n", a, v);
			return 2;
		}
	}

	static struct gen g;
	gen_init(&g, seed);

	char *buf = malloc(OUTBUF + LINE_MAX_BYTES);
	if (!buf) {
		fprintf(stderr, "gen_alb: out of memory\n");
		return 1;
	}

	const char *gzcmd = getenv("GEN_ALB_GZIP");
	if (!gzcmd || !*gzcmd)
		gzcmd = "gzip -6 -n -c";
	FILE *sink = stdout;
	uint64_t in_member = 0;
	if (member_lines) {
		fflush(stdout);
		sink = popen(gzcmd, "w");
		if (!sink) {
			fprintf(stderr, "gen_alb: cannot run '%s': %s\n", gzcmd, strerror(errno));
			return 1;
		}
	}

	uint64_t written = 0, lines = 0;
	char *p = buf;
	int rc = 0;
	while (written < max_bytes && lines < max_lines) {
		char *e = gen_line(&g, p);
		if (e - p > LINE_MAX_BYTES) {
			fprintf(stderr, "gen_alb: internal error: line too long\n");
			return 1;
		}
		written += (uint64_t)(e - p);
		lines++;
		p = e;
		int end_member = member_lines && ++in_member == member_lines;
		if ((size_t)(p - buf) >= OUTBUF || end_member) {
			if (fwrite(buf, 1, (size_t)(p - buf), sink) != (size_t)(p - buf)) {
				rc = 1;
				break;
			}
			p = buf;
		}
		if (end_member && written < max_bytes && lines < max_lines) {
			if (pclose(sink) != 0) {
				fprintf(stderr, "gen_alb: '%s' failed\n", gzcmd);
				return 1;
			}
			sink = popen(gzcmd, "w");
			if (!sink) {
				fprintf(stderr, "gen_alb: cannot run '%s': %s\n", gzcmd, strerror(errno));
				return 1;
			}
			in_member = 0;
		}
	}
	if (!rc && p > buf && fwrite(buf, 1, (size_t)(p - buf), sink) != (size_t)(p - buf))
		rc = 1;
	if (member_lines) {
		if (pclose(sink) != 0) {
			fprintf(stderr, "gen_alb: '%s' failed\n", gzcmd);
			rc = 1;
		}
	} else if (fflush(stdout) != 0) {
		rc = 1;
	}
	if (rc)
		fprintf(stderr, "gen_alb: write error: %s\n", strerror(errno));
	free(buf);
	free(ips_v4);
	free(ips_v6);
	return rc;
}
