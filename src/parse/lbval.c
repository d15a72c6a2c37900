/*
 * lbval.c: value checks for load balancer log fields.  See lbval.h.
 *
 * Written by hand rather than with strtol/sscanf/strptime: these run for
 * every field of every line, work on unterminated slices, and must reject
 * anything that would not be valid in JSON or in an Elasticsearch `ip`
 * or `date` field (a document rejected by the cluster is a dead letter).
 */
#include <arpa/inet.h>

#include "parse/lbval.h"
#include "util/hex.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

static inline int
isdig(char c)
{
	return (unsigned char)(c - '0') < 10;
}

/* Bytes 0-3, 5-6 of "YYYY-MM-" as digits. */
#define DIGITS_A 0x00FFFF00FFFFFFFFULL

/* ${x} loaded from memory as a little-endian number (byte 0 lowest). */
static inline uint64_t
le64(uint64_t x)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return __builtin_bswap64(x);
#else
	return x;
#endif
}

/* The top bit of every byte of ${x} that is not an ASCII digit (SWAR). */
static inline uint64_t
nondigits64(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ULL, lo7 = 0x7F7F7F7F7F7F7F7FULL;
	/* a byte is a digit when (b - '0') < 10 and b < 0x80 */
	uint64_t t = (x & lo7) + ones * (0x80 - 0x3A);	/* top bit: b&7F >= ':' */
	uint64_t u = (x & lo7) + ones * (0x80 - 0x30);	/* top bit: b&7F >= '0' */

	return (t | ~u | x) & ~lo7;
}

/*
 * The eight bytes ${c0}..${c7} as a little-endian word (byte 0 lowest):
 * compile-time constants for the time's fixed parts.
 */
#define W8(c0, c1, c2, c3, c4, c5, c6, c7) ((uint64_t)(c0) |             \
	(uint64_t)(c1) << 8 | (uint64_t)(c2) << 16 | (uint64_t)(c3) << 24 | \
	(uint64_t)(c4) << 32 | (uint64_t)(c5) << 40 | (uint64_t)(c6) << 48 | \
	(uint64_t)(c7) << 56)
#define D_ 0x76		/* added to a digit's byte: >= 0x80 from 10 up */
#define S_ 0x7F		/* added to a separator's: >= 0x80 from 1 up */

/*
 * y = x ^ pattern, where the pattern has '0' for a digit and the byte
 * itself for a separator: a digit's byte of y is its value, a matching
 * separator's 0.  Nonzero unless every digit's byte is at most 9 and
 * every separator's 0 (${add}: D_ or S_ for each).  A byte >= 0x80 of y
 * fails through "| y"; its carry, if any, cannot make a bad word good.
 */
static inline uint64_t
pattern_bad(uint64_t y, uint64_t add)
{
	return ((y + add) | y) & 0x8080808080808080ULL;
}

/**
 * lbval_time(s, has_z): see lbval.h.
 *
 * The fixed part (19 bytes) in three loads, "YYYY-MM-", "DDT" (of
 * "DDTHH:MM") and "HH:MM:SS", each checked against its pattern at once:
 * this runs two or three times for every line.  The two-digit fields are
 * then made in place, each byte becoming ten times its digit plus the
 * next one, and hour, minute and second checked with one add.
 */
int
lbval_time(struct slice s, int *has_z)
{
	static const unsigned char mdays[12] = { 31, 29, 31, 30, 31, 30, 31,
	    31, 30, 31, 30, 31 };
	const char *p = s.p;
	size_t i, n = s.n;
	uint64_t a, b, t;
	unsigned m, d;

	/* 2025-11-03T10:15:42 is 19 bytes. */
	if (p == NULL || n < 19)
		return -1;
	memcpy(&a, p, 8);
	memcpy(&b, p + 8, 8);
	memcpy(&t, p + 11, 8);
	a = le64(a) ^ W8('0', '0', '0', '0', '-', '0', '0', '-');
	b = (le64(b) & 0xFFFFFF) ^ W8('0', '0', 'T', 0, 0, 0, 0, 0);
	t = le64(t) ^ W8('0', '0', ':', '0', '0', ':', '0', '0');
	if (pattern_bad(a, W8(D_, D_, D_, D_, S_, D_, D_, S_)) |
	    pattern_bad(b, W8(D_, D_, S_, S_, S_, S_, S_, S_)) |
	    pattern_bad(t, W8(D_, D_, S_, D_, D_, S_, D_, D_)))
		return -1;
	/*
	 * Byte i of y * 10 + (y >> 8) is 10 * digit i + digit i + 1 (each
	 * byte at most 99: no carries).
	 */
	a = a * 10 + (a >> 8);
	b = b * 10 + (b >> 8);
	t = t * 10 + (t >> 8);
	/* Hour <= 23, minute and second <= 59: 128 - 24 and 128 - 60 added,
	 * the top bit of each says "too big". */
	if (((t & 0x00FF0000FF0000FFULL) + (104 | (uint64_t)68 << 24 |
	    (uint64_t)68 << 48)) & 0x0080000080000080ULL)
		return -1;
	m = (unsigned)(a >> 40) & 0xFF;
	d = (unsigned)b & 0xFF;
	if (m - 1 > 11 || d - 1 >= mdays[m - 1])
		return -1;
	if (m == 2 && d == 29) {
		int y = (p[0] - '0') * 1000 + (p[1] - '0') * 100 +
		    (p[2] - '0') * 10 + (p[3] - '0');

		if (!((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
			return -1;
	}
	i = 19;
	if (i < n && p[i] == '.') {
		/*
		 * 1 to 9 digits, then an optional Z, then the end: every byte
		 * from 20 to the end (or to the Z) must be a digit.  Checked
		 * eight at a time, with a load that ends at the last digit.
		 */
		size_t end = n - (p[n - 1] == 'Z'), c;
		uint64_t w;

		if (end <= 20 || (c = end - 20) > 9)
			return -1;
		memcpy(&w, p + end - 8, 8);
		w = le64(w);
		if (c == 9 ? (nondigits64(w) != 0 || !isdig(p[20])) :
		    (nondigits64(w) >> (8 * (8 - c))) != 0)
			return -1;
		*has_z = end != n;
		return 0;
	}
	*has_z = 0;
	if (i < n && p[i] == 'Z') {
		*has_z = 1;
		i++;
	}
	return i == n ? 0 : -1;
}

/**
 * lbval_uint(s, max, v): see lbval.h.
 */
int
lbval_uint(struct slice s, uint64_t max, uint64_t *v)
{
	uint64_t x = 0;
	size_t i;

	/* 19 digits cannot overflow 64 bits, so check the range once. */
	if (s.p == NULL || s.n == 0 || s.n > 19)
		return -1;
	for (i = 0; i < s.n; i++) {
		unsigned d = (unsigned char)s.p[i] - '0';

		if (d > 9)
			return -1;
		x = x * 10 + d;
	}
	if (x > max)
		return -1;
	*v = x;
	return 0;
}

/**
 * lbval_dec(s): see lbval.h.
 */
int
lbval_dec(struct slice s)
{
	size_t i = 0, n = s.n;
	const char *p = s.p;

	if (p == NULL || n == 0 || !isdig(p[0]))
		return -1;
	if (n >= 3 && n <= 10 && p[0] == '0' && p[1] == '.') {
		/* 0.DDD to 0.DDDDDDDD, the seconds AWS logs: 6 to 8 digits
		 * in one load that ends at the last, fewer one by one. */
		uint64_t w;

		if (n < 8)
			return isdig(p[2]) && (n < 4 || isdig(p[3])) &&
			    (n < 5 || isdig(p[4])) && (n < 6 || isdig(p[5])) &&
			    (n < 7 || isdig(p[6])) ? 0 : -1;
		memcpy(&w, p + n - 8, 8);
		return (nondigits64(le64(w)) >> (8 * (10 - n))) == 0 ? 0 : -1;
	}
	if (p[0] == '0')
		i = 1;
	else
		while (i < n && isdig(p[i]))
			i++;
	/* 15 digits before the point and 9 after: exact in a double. */
	if (i > 15)
		return -1;
	if (i < n && p[i] == '.') {
		size_t d = ++i;

		while (i < n && isdig(p[i]))
			i++;
		if (i == d || i - d > 9)
			return -1;
	}
	return i == n ? 0 : -1;
}

/*
 * quad(p, n): the length of the dotted quad that p[0..n) starts with
 * (four octets of 1 to 3 digits, each at most 255 and without a leading
 * zero, joined by '.'), or 0 if it does not start with one.  What follows
 * it is the caller's to check: a fourth digit, for one, makes no address.
 */
static inline size_t
quad(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	int k;

	for (k = 0;; k++) {
		unsigned d0, d1, d2;

		if (i >= n || (d0 = (unsigned)p[i] - '0') > 9)
			return 0;
		if (i + 1 >= n || (d1 = (unsigned)p[i + 1] - '0') > 9)
			i += 1;
		else if (d0 == 0)
			return 0;
		else if (i + 2 >= n || (d2 = (unsigned)p[i + 2] - '0') > 9)
			i += 2;
		else if (d0 * 100 + d1 * 10 + d2 > 255)
			return 0;
		else
			i += 3;
		if (k == 3)
			return i;
		if (i >= n || p[i] != '.')
			return 0;
		i++;
	}
}

/*
 * ip6_hex(s, n): for text of hex digits and colons only, what glibc's
 * inet_pton(AF_INET6) answers, without the copy it needs: 1 an address
 * (groups of 1 to 4 hex digits, eight of them or fewer with one "::"),
 * 0 not.  Its steps, in its order, so that it rejects where inet_pton
 * does; -1 at any other byte (the '.' of an embedded IPv4 address, a
 * NUL, which ends inet_pton's string): inet_pton decides those.
 * tests/unit/test_lbval.c checks it against inet_pton.
 */
static int
ip6_hex(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	unsigned words = 0, xd = 0;
	int dbl = 0;

	if (p[0] == ':') {
		if (n < 2 || p[1] != ':')
			return 0;
		p++;
	}
	while (p < end) {
		unsigned char c = *p++;

		if (hex_value(c) >= 0) {
			if (xd == 4)
				return 0;
			xd++;
			continue;
		}
		if (c != ':')
			return -1;
		if (xd == 0) {
			if (dbl)
				return 0;
			dbl = 1;
			continue;
		}
		if (p == end || words == 8)
			return 0;
		words++;
		xd = 0;
	}
	if (xd > 0) {
		if (words == 8)
			return 0;
		words++;
	}
	return dbl ? words < 8 : words == 8;
}

/**
 * lbval_ip(s): see lbval.h.
 */
int
lbval_ip(struct slice s)
{
	char buf[INET6_ADDRSTRLEN + 1];
	unsigned char bin[16];
	int r;

	if (s.p == NULL || s.n == 0)
		return -1;
	if (quad(s.p, s.n) == s.n)
		return 0;
	if (memchr(s.p, ':', s.n) == NULL)
		return -1;
	if (s.n >= sizeof(buf))
		return -1;
	if ((r = ip6_hex(s.p, s.n)) >= 0)
		return r ? 0 : -1;
	memcpy(buf, s.p, s.n);
	buf[s.n] = '\0';
	return inet_pton(AF_INET6, buf, bin) == 1 ? 0 : -1;
}

/*
 * The common case in one forward pass: a dotted quad (quad()), a colon,
 * and only digits after it (1 to 5, at most 65535; the rule of
 * lbval_uint(), which allows leading zeros).  Returns 0 on a match, -1
 * when the general path must decide.
 */
static int
ip4port(const char *p, size_t n, struct slice *ip, uint32_t *port)
{
	size_t i = quad(p, n), j;
	unsigned v = 0;

	if (i == 0 || i >= n || p[i] != ':' || n - i - 1 - 1 > 4)
		return -1;
	for (j = i + 1; j < n; j++) {
		unsigned d = (unsigned)(unsigned char)p[j] - '0';

		if (d > 9)
			return -1;
		v = v * 10 + d;
	}
	if (v > 65535)
		return -1;
	*ip = slice_make(p, i);
	*port = v;
	return 0;
}

#if defined(__SSE2__)
/*
 * ip4port() with 16 bytes in one register (${p} has 16 readable bytes,
 * ${n} <= 21 of them the value): a bit per byte for digits, dots and the
 * like, and the dotted quad's rules as operations on those bits.  The
 * port, which may run past the 16, byte by byte.
 */
static int
ip4port16(const char *p, size_t n, struct slice *ip, uint32_t *port)
{
	const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
	unsigned in = n >= 16 ? 0xFFFFu : (1u << n) - 1, dig, dot, e, d, d2, d3;
	unsigned bnd, dg, st, l3, over, zero;
	unsigned g2, e2, g5, e5, v32;
	size_t len;
	uint64_t w;

#define BITS(x) ((unsigned)_mm_movemask_epi8(x))
	dig = BITS(_mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
	    _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)))) & in;
	dot = BITS(_mm_cmpeq_epi8(v, _mm_set1_epi8('.'))) & in;
	/* the quad ends at the first byte that is neither: its ':' */
	e = (unsigned)__builtin_ctz(~(dig | dot) | 0x10000u);
	if (e >= n || e > 15 || p[e] != ':')
		return -1;
	/* exactly three dots before it */
	d = dot & ((1u << e) - 1);
	d2 = d & (d - 1);
	d3 = d2 & (d2 - 1);
	if (d3 == 0 || (d3 & (d3 - 1)) != 0)
		return -1;
	/* octets of 1 to 3 digits: no boundary first or next to another,
	 * no four digits in a row */
	bnd = d | 1u << e;
	dg = dig & ((1u << e) - 1);
	if ((bnd & 1) != 0 || (bnd & (bnd >> 1)) != 0 ||
	    (dg & dg >> 1 & dg >> 2 & dg >> 3) != 0)
		return -1;
	/* the octets' first bytes: no '0' before another digit; those of
	 * three digits at most "255" */
	st = (1u | d << 1) & ((1u << e) - 1);
	zero = BITS(_mm_cmpeq_epi8(v, _mm_set1_epi8('0')));
	l3 = st & dg >> 1 & dg >> 2;
	g2 = BITS(_mm_cmpgt_epi8(v, _mm_set1_epi8('2')));
	e2 = BITS(_mm_cmpeq_epi8(v, _mm_set1_epi8('2')));
	g5 = BITS(_mm_cmpgt_epi8(v, _mm_set1_epi8('5')));
	e5 = BITS(_mm_cmpeq_epi8(v, _mm_set1_epi8('5')));
#undef BITS
	over = g2 | (e2 & g5 >> 1) | (e2 & e5 >> 1 & g5 >> 2);
	if ((st & zero & dg >> 1) != 0 || (l3 & over) != 0)
		return -1;
	/*
	 * The port: 1 to 5 digits to the end, at most 65535; in the 8
	 * bytes that end the value (n >= 9), moved to the top, the zeros
	 * below them leading zeros: checked and made without a loop.
	 */
	len = n - e - 1;
	if (len - 1 > 4)
		return -1;
	memcpy(&w, p + n - 8, 8);
	w = le64(w) >> (8 * (8 - len)) << (8 * (8 - len));
	if ((nondigits64(w) >> (8 * (8 - len))) != 0)
		return -1;
	w = (w & 0x0F0F0F0F0F0F0F0FULL) * 2561 >> 8;
	w = (w & 0x00FF00FF00FF00FFULL) * 6553601 >> 16;
	v32 = (unsigned)((w & 0x0000FFFF0000FFFFULL) * 42949672960001ULL >> 32);
	if (v32 > 65535)
		return -1;
	*ip = slice_make(p, e);
	*port = v32;
	return 0;
}
#endif

/**
 * lbval_ipport_in(s, readable, ip, port): see lbval.h.
 */
int
lbval_ipport_in(struct slice s, size_t readable, struct slice *ip,
    uint32_t *port)
{
#if defined(__SSE2__)
	if (s.p != NULL && readable >= 16 && s.n >= 3 && s.n <= 21 &&
	    ip4port16(s.p, s.n, ip, port) == 0)
		return 0;
#else
	(void)readable;
#endif
	return lbval_ipport(s, ip, port);
}

/**
 * lbval_ipport(s, ip, port): see lbval.h.
 */
int
lbval_ipport(struct slice s, struct slice *ip, uint32_t *port)
{
	const char *c;
	uint64_t v;
	struct slice a;

	if (s.p == NULL || s.n < 3)
		return -1;
	if (ip4port(s.p, s.n, ip, port) == 0)
		return 0;
	c = s.p + s.n - 1;
	while (c > s.p && *c != ':')
		c--;
	if (c == s.p)
		return -1;
	a = slice_make(s.p, (size_t)(c - s.p));
	if (lbval_uint(slice_make(c + 1, (size_t)(s.p + s.n - c - 1)), 65535, &v))
		return -1;
	if (a.n >= 2 && a.p[0] == '[' && a.p[a.n - 1] == ']')
		a = slice_make(a.p + 1, a.n - 2);
	if (lbval_ip(a))
		return -1;
	*ip = a;
	*port = (uint32_t)v;
	return 0;
}

static struct slice
dash_none(struct slice s)
{
	if (s.n == 0 || (s.n == 1 && s.p[0] == '-'))
		return SLICE_NONE;
	return s;
}

/**
 * lbval_request(s, r): see lbval.h.
 */
void
lbval_request(struct slice s, struct lb_request *r)
{
	const char *sp1, *sp2, *end;
	size_t n = s.n;

	r->method = r->url = r->version = SLICE_NONE;
	if (s.p == NULL)
		return;
	/* CLB TCP/SSL listeners write "- - - " with a trailing space. */
	while (n > 0 && s.p[n - 1] == ' ')
		n--;
	end = s.p + n;
	sp1 = memchr(s.p, ' ', n);
	if (sp1 == NULL) {
		r->url = dash_none(slice_make(s.p, n));
		return;
	}
	/* The last space; " HTTP/x.y" (most lines) without a search. */
	if (end - sp1 > 9 && memcmp(end - 9, " HTTP/", 6) == 0 &&
	    end[-3] != ' ' && end[-2] != ' ')
		sp2 = end - 9;
	else
		for (sp2 = end - 1; sp2 > sp1 && *sp2 != ' '; sp2--)
			;
	r->method = dash_none(slice_make(s.p, (size_t)(sp1 - s.p)));
	if (sp2 == sp1) {
		r->url = dash_none(slice_make(sp1 + 1, (size_t)(end - sp1 - 1)));
		return;
	}
	r->url = dash_none(slice_make(sp1 + 1, (size_t)(sp2 - sp1 - 1)));
	r->version = dash_none(slice_make(sp2 + 1, (size_t)(end - sp2 - 1)));
	if (r->version.p != NULL && r->version.n > 5 &&
	    memcmp(r->version.p, "HTTP/", 5) == 0)
		r->version = slice_make(r->version.p + 5, r->version.n - 5);
}

/*
 * find_any(p, end, a, b, c): the first byte in [p, end) equal to ${a}, ${b}
 * or ${c}, or end.  16 bytes per step with SSE2; never reads past ${end}.
 */
static const char *
find_any(const char *p, const char *end, char a, char b, char c)
{
#if defined(__SSE2__)
	const __m128i va = _mm_set1_epi8(a), vb = _mm_set1_epi8(b);
	const __m128i vc = _mm_set1_epi8(c);

	while (end - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		int m = _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(
		    _mm_cmpeq_epi8(v, va), _mm_cmpeq_epi8(v, vb)),
		    _mm_cmpeq_epi8(v, vc)));

		if (m != 0)
			return p + __builtin_ctz((unsigned)m);
		p += 16;
	}
#endif
	while (p < end && *p != a && *p != b && *p != c)
		p++;
	return p;
}

/* The end of a URL scheme at ${p}: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ). */
static const char *
scheme_end(const char *p, const char *end)
{
	const char *q;

	if (end - p > 8 && memcmp(p, "https://", 8) == 0)
		return p + 5;
	if (end - p > 7 && memcmp(p, "http://", 7) == 0)
		return p + 4;
	for (q = p; q < end; q++) {
		char c = *q;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (q > p && (isdig(c) || c == '+' || c == '-' || c == '.'))))
			break;
	}
	return q;
}

/* url.extension of the path ${path}: see struct lb_url. */
static struct slice
url_extension(struct slice path)
{
	const char *seg, *dot, *end;

	if (path.p == NULL)
		return path;
	end = path.p + path.n;
	/* The last segment, then its last dot. */
	seg = memrchr(path.p, '/', path.n);
	seg = seg != NULL ? seg + 1 : path.p;
	dot = memrchr(seg, '.', (size_t)(end - seg));
	if (dot == NULL || dot + 1 == end)
		return SLICE_NONE;
	return slice_make(dot + 1, (size_t)(end - dot - 1));
}

/**
 * lbval_url(s, u): see lbval.h.
 */
int
lbval_url(struct slice s, struct lb_url *u)
{
	const char *p = s.p, *end = s.p + s.n, *q, *h;
	uint64_t port;

	u->scheme = u->domain = u->path = u->query = u->fragment = SLICE_NONE;
	u->extension = SLICE_NONE;
	u->port = -1;
	if (p == NULL || s.n == 0)
		return -1;
	if (*p != '/') {
		q = scheme_end(p, end);
		if (q == p || end - q < 3 || q[0] != ':' || q[1] != '/' || q[2] != '/')
			return -1;
		u->scheme = slice_make(p, (size_t)(q - p));
		h = q + 3;
		q = find_any(h, end, '/', '?', '#');
		/* authority h..q: host, [v6], host:port; drop any userinfo. */
		{
			const char *a = h, *ae = q, *at, *c;

			/* The last '@' ends the userinfo (memrchr: few have one). */
			at = memrchr(a, '@', (size_t)(ae - a));
			if (at != NULL)
				a = at + 1;
			if (a < ae && *a == '[') {
				c = memchr(a, ']', (size_t)(ae - a));
				if (c == NULL)
					return -1;
				u->domain = slice_make(a + 1, (size_t)(c - a - 1));
				c++;
			} else {
				c = memchr(a, ':', (size_t)(ae - a));
				if (c == NULL)
					c = ae;
				u->domain = slice_make(a, (size_t)(c - a));
			}
			if (c < ae) {
				if (*c != ':' || lbval_uint(slice_make(c + 1,
				    (size_t)(ae - c - 1)), 65535, &port))
					return -1;
				u->port = (int32_t)port;
			}
			if (u->domain.n == 0)
				u->domain = SLICE_NONE;
		}
		p = q;
	}
	q = find_any(p, end, '?', '#', '?');
	if (q > p)
		u->path = slice_make(p, (size_t)(q - p));
	if (q < end && *q == '?') {
		const char *f = memchr(q + 1, '#', (size_t)(end - q - 1));

		if (f == NULL)
			f = end;
		u->query = slice_make(q + 1, (size_t)(f - q - 1));
		q = f;
	}
	if (q < end && *q == '#')
		u->fragment = slice_make(q + 1, (size_t)(end - q - 1));
	u->extension = url_extension(u->path);
	return 0;
}

#if defined(__SSE2__)
/* The bits below bit ${i} (0 to 64). */
static inline uint64_t
below(size_t i)
{
	return i >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << i) - 1;
}

/* The index of the highest bit of ${m} (not 0). */
static inline size_t
top(uint64_t m)
{
	return 63 - (size_t)__builtin_clzll(m);
}

/* A bit per byte of a URL's first 64 bytes for each byte its split
 * looks for. */
struct urlbits {
	uint64_t sl, qm, hs, dt, at, co;	/* '/' '?' '#' '.' '@' ':' */
};

static inline void
urlbits_sse2(const char *p, struct urlbits *b)
{
	const __m128i v0 = _mm_loadu_si128((const __m128i *)(const void *)p);
	const __m128i v1 = _mm_loadu_si128((const __m128i *)(const void *)(p + 16));
	const __m128i v2 = _mm_loadu_si128((const __m128i *)(const void *)(p + 32));
	const __m128i v3 = _mm_loadu_si128((const __m128i *)(const void *)(p + 48));

#define EQ(v, c) ((uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8((v), \
	_mm_set1_epi8(c))))
#define BITS(c) (EQ(v0, c) | EQ(v1, c) << 16 | EQ(v2, c) << 32 |        \
	EQ(v3, c) << 48)
	b->sl = BITS('/');
	b->qm = BITS('?');
	b->hs = BITS('#');
	b->dt = BITS('.');
	b->at = BITS('@');
	b->co = BITS(':');
#undef BITS
#undef EQ
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(LBVAL_NO_AVX2)
#include <immintrin.h>
#define URL_AVX2 1

/* The same, 32 bytes a compare (where the CPU has AVX2). */
__attribute__((target("avx2"))) static void
urlbits_avx2(const char *p, struct urlbits *b)
{
	const __m256i v0 = _mm256_loadu_si256((const __m256i *)(const void *)p);
	const __m256i v1 = _mm256_loadu_si256((const __m256i *)(const void *)
	    (p + 32));

#define EQ(v, c) ((uint64_t)(uint32_t)_mm256_movemask_epi8(                \
	_mm256_cmpeq_epi8((v), _mm256_set1_epi8(c))))
#define BITS(c) (EQ(v0, c) | EQ(v1, c) << 32)
	b->sl = BITS('/');
	b->qm = BITS('?');
	b->hs = BITS('#');
	b->dt = BITS('.');
	b->at = BITS('@');
	b->co = BITS(':');
#undef BITS
#undef EQ
}
#endif

/*
 * lbval_url() for the ${n} (1 to 64) bytes at ${p}, 64 of them
 * readable: a bit per byte for each byte the split looks for, and
 * lbval_url()'s steps as operations on those bits: first and last bits
 * in a range instead of memchr and memrchr.  Relative URLs and http(s)
 * ones; -2 for other schemes, which lbval_url() decides.
 */
static int
url64(const char *p, size_t n, struct lb_url *u)
{
	struct urlbits b;
	uint64_t valid = below(n), m;
	size_t ps = 0, pe, q, f;

#if defined(URL_AVX2)
	if (__builtin_cpu_supports("avx2"))
		urlbits_avx2(p, &b);
	else
#endif
		urlbits_sse2(p, &b);
	u->scheme = u->domain = u->path = u->query = u->fragment = SLICE_NONE;
	u->extension = SLICE_NONE;
	u->port = -1;
	if (p[0] != '/') {
		size_t h, a, c, e;

		if (n > 8 && memcmp(p, "https://", 8) == 0)
			h = 8;
		else if (n > 7 && memcmp(p, "http://", 7) == 0)
			h = 7;
		else
			return -2;
		u->scheme = slice_make(p, h - 3);
		/* The authority: to the first '/', '?' or '#' after "//". */
		m = (b.sl | b.qm | b.hs) & valid & ~below(h);
		e = m != 0 ? (size_t)__builtin_ctzll(m) : n;
		/* Its last '@' ends the userinfo. */
		m = b.at & below(e) & ~below(h);
		a = m != 0 ? top(m) + 1 : h;
		if (a < e && p[a] == '[') {
			/* [IPv6] (few: memchr) */
			const char *r = memchr(p + a, ']', e - a);

			if (r == NULL)
				return -1;
			c = (size_t)(r - p);
			u->domain = slice_make(p + a + 1, c - a - 1);
			c++;
		} else {
			m = b.co & below(e) & ~below(a);
			c = m != 0 ? (size_t)__builtin_ctzll(m) : e;
			u->domain = slice_make(p + a, c - a);
		}
		if (c < e) {
			uint64_t port;

			if (p[c] != ':' || lbval_uint(slice_make(p + c + 1,
			    e - c - 1), 65535, &port))
				return -1;
			u->port = (int32_t)port;
		}
		if (u->domain.n == 0)
			u->domain = SLICE_NONE;
		ps = e;
	}
	/* The path: to the first '?' or '#'. */
	m = (b.qm | b.hs) & valid & ~below(ps);
	q = pe = m != 0 ? (size_t)__builtin_ctzll(m) : n;
	if (pe > ps) {
		u->path = slice_make(p + ps, pe - ps);
		/* Its last segment, that segment's last dot. */
		m = b.sl & below(pe) & ~below(ps);
		m = b.dt & below(pe) & ~below(m != 0 ? top(m) + 1 : ps);
		if (m != 0 && top(m) + 1 != pe)
			u->extension = slice_make(p + top(m) + 1,
			    pe - top(m) - 1);
	}
	if (q < n && p[q] == '?') {
		m = b.hs & valid & ~below(q + 1);
		f = m != 0 ? (size_t)__builtin_ctzll(m) : n;
		u->query = slice_make(p + q + 1, f - q - 1);
		q = f;
	}
	if (q < n && p[q] == '#')
		u->fragment = slice_make(p + q + 1, n - q - 1);
	return 0;
}
#endif

/**
 * lbval_url_in(s, readable, u): see lbval.h.
 */
int
lbval_url_in(struct slice s, size_t readable, struct lb_url *u)
{
#if defined(__SSE2__)
	if (s.p != NULL && s.n - 1 < 64 && readable >= 64) {
		int r = url64(s.p, s.n, u);

		if (r != -2)
			return r;
	}
#else
	(void)readable;
#endif
	return lbval_url(s, u);
}
