/*
 * test_lbval.c: the value checks (lbval.h): times, integers, decimals, IP
 * addresses, ip:port, request lines and URLs, at their edges.  Expected
 * values come from lb-log-formats.md and the contracts in lbval.h.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse/lbval.h"
#include "tap.h"

static struct slice
S(const char *s)
{
	return slice_make(s, strlen(s));
}

/* 1 if ${got} is present and equals ${want}, or both are absent (NULL). */
static int
slice_is(struct slice got, const char *want)
{
	if (want == NULL)
		return got.p == NULL;
	return got.p != NULL && got.n == strlen(want) &&
	    memcmp(got.p, want, got.n) == 0;
}

static void
test_time(void)
{
	static const char *const good[] = {
		"2025-11-03T10:15:42.123456Z",	/* ALB, CLB, connection log */
		"2018-12-20T02:59:40",		/* NLB (AWS doc): no fraction, no Z */
		"2025-11-03T10:15:44.5Z",	/* one fraction digit */
		"2025-11-03T10:15:44.123456789Z",	/* nine */
		"2025-11-03T10:15:44Z",
		"2025-11-03T23:59:59.999999",
		"2024-02-29T00:00:00Z",		/* leap day */
		"2025-12-31T00:00:00Z",
		"0001-01-01T00:00:00Z",
	};
	static const char *const bad[] = {
		"", "2025-11-03", "2025-11-03T10:15", "2025-11-03T10:15:4",
		"2025-11-03 10:15:42Z", "2025-11-03t10:15:42Z",
		"2025-11-03T10:15:42z", "2025-11-03T10:15:42.Z",
		"2025-11-03T10:15:42.1234567890Z",	/* ten digits */
		"2025-11-03T10:15:42.123456ZZ", "2025-11-03T10:15:42.123456Z ",
		" 2025-11-03T10:15:42Z", "2025-11-03T10:15:42+00:00",
		"2025-00-03T10:15:42Z", "2025-13-03T10:15:42Z",
		"2025-11-00T10:15:42Z", "2025-11-32T10:15:42Z",
		"2025-11-03T24:00:00Z", "2025-11-03T10:60:00Z",
		"2025-11-03T10:15:61Z", "2025-1-03T10:15:42Z",
		"25-11-03T10:15:42Z", "2025/11/03T10:15:42Z",
		"2025-11-03T10:15:42,5Z", "-",
		"202a-11-03T10:15:42Z",
	};
	/* Dates that do not exist: Elasticsearch rejects them as dates. */
	static const char *const impossible[] = {
		"2025-02-30T00:00:00Z", "2025-04-31T00:00:00Z",
		"2023-02-29T00:00:00Z", "2100-02-29T00:00:00Z",
	};
	size_t i;
	int z = -1;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ok(lbval_time(S(good[i]), &z) == 0, "time accepted: %s", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(lbval_time(S(bad[i]), &z) != 0, "time rejected: '%s'", bad[i]);
	ok(lbval_time(SLICE_NONE, &z) != 0, "time rejected: absent slice");
	for (i = 0; i < sizeof(impossible) / sizeof(impossible[0]); i++)
		ok(lbval_time(S(impossible[i]), &z) != 0,
		    "time rejected (no such day): %s", impossible[i]);

	z = -1;
	ok(lbval_time(S("2025-11-03T10:15:42.123456Z"), &z) == 0 && z == 1,
	    "time: has_z set for a trailing Z");
	z = -1;
	ok(lbval_time(S("2018-12-20T02:59:40"), &z) == 0 && z == 0,
	    "time: has_z clear without Z");
	/* Only the slice is read: a Z just past its end is not part of it. */
	z = -1;
	ok(lbval_time(slice_make("2025-11-03T10:15:42Z", 19), &z) == 0 &&
	    z == 0, "time: a slice is read to its length only");
}

static void
test_uint(void)
{
	uint64_t v;

	v = 99;
	ok(lbval_uint(S("0"), 999, &v) == 0 && v == 0, "uint: 0");
	ok(lbval_uint(S("200"), 999, &v) == 0 && v == 200, "uint: 200");
	ok(lbval_uint(S("999"), 999, &v) == 0 && v == 999, "uint: max itself");
	ok(lbval_uint(S("1000"), 999, &v) != 0, "uint: max + 1 rejected");
	ok(lbval_uint(S("007"), 999, &v) == 0 && v == 7,
	    "uint: leading zeros are digits (007 = 7)");
	ok(lbval_uint(S("0080"), 65535, &v) == 0 && v == 80,
	    "uint: leading zeros (0080 = 80)");
	ok(lbval_uint(S("65535"), 65535, &v) == 0 && v == 65535,
	    "uint: 65535 is a port");
	ok(lbval_uint(S("65536"), 65535, &v) != 0, "uint: 65536 is not a port");
	ok(lbval_uint(S("99999"), 65535, &v) != 0, "uint: 99999 > 65535");
	ok(lbval_uint(S("50000"), 50000, &v) == 0 && v == 50000,
	    "uint: rule priority 50000");
	ok(lbval_uint(S("50001"), 50000, &v) != 0, "uint: 50001 > 50000");
	ok(lbval_uint(S("9223372036854775807"), INT64_MAX, &v) == 0 &&
	    v == (uint64_t)INT64_MAX, "uint: INT64_MAX");
	ok(lbval_uint(S("9223372036854775808"), INT64_MAX, &v) != 0,
	    "uint: INT64_MAX + 1 rejected");
	ok(lbval_uint(S("9999999999999999999"), INT64_MAX, &v) != 0,
	    "uint: 19 nines > INT64_MAX rejected");
	ok(lbval_uint(S("18446744073709551616"), UINT64_MAX, &v) != 0,
	    "uint: 2^64 rejected (no wrap-around)");
	ok(lbval_uint(S("99999999999999999999"), UINT64_MAX, &v) != 0,
	    "uint: 20 nines rejected (no wrap-around)");
	ok(lbval_uint(S("7"), 5, &v) != 0, "uint: 7 > max 5 (small max)");
	ok(lbval_uint(S("1"), 0, &v) != 0, "uint: 1 > max 0");
	ok(lbval_uint(S("0"), 0, &v) == 0 && v == 0, "uint: 0 <= max 0");
	ok(lbval_uint(S(""), 999, &v) != 0, "uint: empty rejected");
	ok(lbval_uint(SLICE_NONE, 999, &v) != 0, "uint: absent rejected");
	ok(lbval_uint(S("-1"), 999, &v) != 0, "uint: -1 rejected");
	ok(lbval_uint(S("-"), 999, &v) != 0, "uint: - rejected");
	ok(lbval_uint(S("+1"), 999, &v) != 0, "uint: +1 rejected");
	ok(lbval_uint(S("1 "), 999, &v) != 0, "uint: trailing space rejected");
	ok(lbval_uint(S("1.0"), 999, &v) != 0, "uint: 1.0 rejected");
	ok(lbval_uint(S("0x10"), 999, &v) != 0, "uint: hex rejected");
	ok(lbval_uint(S("2OO"), 999, &v) != 0, "uint: letter O rejected");
	ok(lbval_uint(slice_make("123", 2), 999, &v) == 0 && v == 12,
	    "uint: reads the slice only");
}

static void
test_dec(void)
{
	static const char *const good[] = {
		"0", "0.000", "0.001", "0.042", "12", "12.5", "120",
		"0.000041", "3600.5",
	};
	static const char *const bad[] = {
		"", "-", "-1", "-0.5", "01", "00", "00.1", "01.5", "1.", ".5",
		"1e3", "1E3", "1.2.3", "0.0.1", "+1", "1 ", " 1", "0x1", "NaN",
		"inf", "1,5", "12ms",
	};
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ok(lbval_dec(S(good[i])) == 0, "dec accepted: %s", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(lbval_dec(S(bad[i])) != 0, "dec rejected: '%s'", bad[i]);
	ok(lbval_dec(SLICE_NONE) != 0, "dec rejected: absent");
}

static void
test_ip(void)
{
	static const char *const good[] = {
		"10.0.0.1", "0.0.0.0", "255.255.255.255", "198.51.100.23",
		"::1", "::", "2001:db8::7", "2001:DB8::7", "fe80::1:2:3:4",
		"1:2:3:4:5:6:7:8", "::ffff:198.51.100.1", "2001:db8:1::",
		"1:2:3:4:5:6:1.2.3.4",
		"ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255",	/* 45 bytes */
	};
	static const char *const bad[] = {
		"", "-", "256.0.0.1", "1.2.3", "1.2.3.4.5", "01.2.3.4",
		"1.02.3.4", "1..2.3", "1.2.3.", ".1.2.3", "1.2.3.4 ",
		" 1.2.3.4", "1.2.3.a", "1.2.3.1000", "1.2.3.-1", "1234.1.1.1",
		"localhost", "[::1]", "[2001:db8::7]", "fe80::1%eth0",
		"2001:db8:::1", "1:2:3:4:5:6:7:8:9", "2001:db8::g",
		"::ffff:1.2.3", ":::", "1::2::3",
		"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		"198.51.100.023",
	};
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ok(lbval_ip(S(good[i])) == 0, "ip accepted: %s", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(lbval_ip(S(bad[i])) != 0, "ip rejected: '%s'", bad[i]);
	ok(lbval_ip(SLICE_NONE) != 0, "ip rejected: absent");
	ok(lbval_ip(slice_make("10.0.0.12", 8)) == 0,
	    "ip: reads the slice only (10.0.0.1 of 10.0.0.12)");
}

static void
ipport_ok(const char *s, const char *ip, uint32_t port)
{
	struct slice a = SLICE_NONE;
	uint32_t p = 12345;
	int r = lbval_ipport(S(s), &a, &p);

	ok(r == 0 && slice_is(a, ip) && p == port, "ipport: %s -> %s port %u",
	    s, ip, (unsigned)port);
}

static void
test_ipport(void)
{
	static const char *const bad[] = {
		"", "-", "1.2.3.4", "1.2.3.4:", ":80", "1.2.3.4:65536",
		"1.2.3.4:-1", "1.2.3.4:http", "1.2.3.4:8 0", "300.1.1.1:80",
		"[::1]", "[::1]:", "[::1]:80x", "[2001:db8::7:443", "::1]:80",
		"host:80", "1.2.3.4:99999999999999999999", "[fe80::1%eth0]:80",
		"1.2.3.4::80", "[]:80", "a:1", "::",
	};
	size_t i;
	struct slice a;
	uint32_t p;

	ipport_ok("198.51.100.23:53012", "198.51.100.23", 53012);
	ipport_ok("10.1.2.3:0", "10.1.2.3", 0);
	ipport_ok("10.1.2.3:65535", "10.1.2.3", 65535);
	ipport_ok("10.1.2.3:080", "10.1.2.3", 80);
	ipport_ok("[2001:db8::7]:443", "2001:db8::7", 443);
	ipport_ok("[::1]:65535", "::1", 65535);
	/* Without brackets the address ends at the last colon. */
	ipport_ok("2001:db8::7:443", "2001:db8::7", 443);
	ipport_ok("::ffff:198.51.100.1:1234", "::ffff:198.51.100.1", 1234);
	ipport_ok("::1:80", "::1", 80);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(lbval_ipport(S(bad[i]), &a, &p) != 0, "ipport rejected: '%s'",
		    bad[i]);
	ok(lbval_ipport(SLICE_NONE, &a, &p) != 0, "ipport rejected: absent");
}

/* The definition lbval_ipport() follows, step by step: split at the last
 * colon, a port by lbval_uint(), brackets off, the address by lbval_ip(). */
static int
ipport_ref(struct slice s, struct slice *ip, uint32_t *port)
{
	const char *c;
	uint64_t v;
	struct slice a;

	if (s.p == NULL || s.n < 3)
		return -1;
	c = s.p + s.n - 1;
	while (c > s.p && *c != ':')
		c--;
	if (c == s.p)
		return -1;
	a = slice_make(s.p, (size_t)(c - s.p));
	if (lbval_uint(slice_make(c + 1, (size_t)(s.p + s.n - c - 1)), 65535,
	    &v))
		return -1;
	if (a.n >= 2 && a.p[0] == '[' && a.p[a.n - 1] == ']')
		a = slice_make(a.p + 1, a.n - 2);
	if (lbval_ip(a))
		return -1;
	*ip = a;
	*port = (uint32_t)v;
	return 0;
}

/* lbval_dec()'s definition, byte by byte. */
static int
dec_ref(const char *p, size_t n)
{
	size_t i = 0;

	if (n == 0 || !(p[0] >= '0' && p[0] <= '9'))
		return -1;
	if (p[0] == '0')
		i = 1;
	else
		while (i < n && p[i] >= '0' && p[i] <= '9')
			i++;
	if (i > 15)
		return -1;
	if (i < n && p[i] == '.') {
		size_t d = ++i;

		while (i < n && p[i] >= '0' && p[i] <= '9')
			i++;
		if (i == d || i - d > 9)
			return -1;
	}
	return i == n ? 0 : -1;
}

/* lbval_uint()'s definition, byte by byte. */
static int
uint_ref(const char *p, size_t n, uint64_t max, uint64_t *v)
{
	uint64_t x = 0;
	size_t i;

	if (n == 0 || n > 19)
		return -1;
	for (i = 0; i < n; i++) {
		if (!(p[i] >= '0' && p[i] <= '9'))
			return -1;
		x = x * 10 + (uint64_t)(p[i] - '0');
	}
	if (x > max)
		return -1;
	*v = x;
	return 0;
}

/* Random strings of digits, points and a few other bytes: lbval_dec()
 * and lbval_uint() against their definitions. */
static void
test_number_random(void)
{
	static const char alpha[] = "01234567890000099999....-/:a\x80";
	static const uint64_t maxes[] = { 999, 65535, 50000, INT64_MAX };
	uint64_t rs = 17;
	char buf[24];
	unsigned i, bad = 0, gooddec = 0, gooduint = 0;

	for (i = 0; i < 400000; i++) {
		size_t n, j;
		uint64_t v1 = 1, v2 = 2, max;
		int r1, r2;

		rs = rs * 6364136223846793005ULL + 1442695040888963407ULL;
		n = (size_t)(rs >> 59) % 21;
		max = maxes[(rs >> 40) % 4];
		for (j = 0; j < n; j++) {
			rs = rs * 6364136223846793005ULL + 1442695040888963407ULL;
			/* mostly digits, a point now and then */
			buf[j] = (rs >> 60) < 13 ? (char)('0' + (rs >> 33) % 10) :
			    alpha[(rs >> 33) % (sizeof(alpha) - 1)];
		}
		r1 = lbval_dec(slice_make(buf, n));
		r2 = dec_ref(buf, n);
		if (r1 != r2 && bad++ == 0)
			printf("# dec differs on '%.*s'\n", (int)n, buf);
		gooddec += r1 == 0;
		r1 = lbval_uint(slice_make(buf, n), max, &v1);
		r2 = uint_ref(buf, n, max, &v2);
		if ((r1 != r2 || (r1 == 0 && v1 != v2)) && bad++ == 0)
			printf("# uint differs on '%.*s'\n", (int)n, buf);
		gooduint += r1 == 0;
	}
	ok(bad == 0 && gooddec > 10000 && gooduint > 10000,
	    "dec and uint equal their definitions on 400000 random strings "
	    "(%u, %u valid)", gooddec, gooduint);
}

/* lbval_ip()'s definition: IPv4 octet by octet, else inet_pton's IPv6. */
static int
ip_ref(const char *p, size_t n)
{
	char buf[INET6_ADDRSTRLEN + 1];
	unsigned char bin[16];
	size_t i = 0;
	int octets = 0;

	if (p == NULL || n == 0)
		return -1;
	if (memchr(p, ':', n) != NULL) {
		if (n >= sizeof(buf))
			return -1;
		memcpy(buf, p, n);
		buf[n] = '\0';
		return inet_pton(AF_INET6, buf, bin) == 1 ? 0 : -1;
	}
	while (octets < 4) {
		unsigned v = 0, nd = 0;

		while (i < n && p[i] >= '0' && p[i] <= '9' && nd < 4) {
			v = v * 10 + (unsigned)(p[i] - '0');
			nd++;
			i++;
		}
		if (nd == 0 || nd > 3 || v > 255 || (nd > 1 && p[i - nd] == '0'))
			return -1;
		if (++octets == 4)
			break;
		if (i >= n || p[i] != '.')
			return -1;
		i++;
	}
	return i == n ? 0 : -1;
}

/*
 * Random strings of IPv6 and IPv4 bytes (hex digits, colons, dots, a NUL
 * now and then): lbval_ip() against its definition, inet_pton included.
 */
static void
test_ip_random(void)
{
	static const char hex[] = "0123456789abcdefABCDEF0000::::::";
	static const char odd[] = ".:1g\0 ";
	uint64_t rs = 13;
	char buf[64];
	unsigned i, bad = 0, good4 = 0, good6 = 0;

	for (i = 0; i < 400000; i++) {
		size_t n = 0, j, want;
		int r1, r2;

		rs = rs * 6364136223846793005ULL + 1442695040888963407ULL;
		if (i % 4 == 0) {
			n = (size_t)snprintf(buf, sizeof(buf), "%u.%u.%u.%u",
			    (unsigned)(rs >> 8) % 300, (unsigned)(rs >> 17) % 260,
			    (unsigned)(rs >> 26) % 30, (unsigned)(rs >> 35) % 1000);
		} else if (i % 4 == 1) {
			/* eight groups, one "::" now and then */
			for (j = 0; j < 8; j++)
				n += (size_t)snprintf(buf + n, sizeof(buf) - n,
				    j ? ":%x" : "%x", (unsigned)(rs >> (j * 7)) %
				    ((rs >> 60) % 2 ? 0x10000 : 0x100));
			if ((rs >> 3) % 3 == 0) {
				/* bytes at..at+cut become "::" */
				char t[64];
				size_t at = (rs >> 40) % n, cut = (rs >> 50) % 12;

				if (at + cut > n)
					cut = n - at;
				memcpy(t, buf, at);
				memcpy(t + at, "::", 2);
				memcpy(t + at + 2, buf + at + cut, n - at - cut);
				n = n - cut + 2;
				memcpy(buf, t, n);
			}
		} else {
			want = (size_t)(rs >> 58) % 44;
			for (j = 0; j < want; j++) {
				rs = rs * 6364136223846793005ULL +
				    1442695040888963407ULL;
				buf[n++] = hex[(rs >> 33) % (sizeof(hex) - 1)];
			}
		}
		if (n > 0 && (rs >> 20) % 5 == 0)
			buf[(rs >> 30) % n] = odd[(rs >> 45) % (sizeof(odd) - 1)];
		if (n > 0 && (rs >> 24) % 7 == 0)
			n -= (rs >> 52) % n;
		r1 = lbval_ip(slice_make(buf, n));
		r2 = ip_ref(buf, n);
		if (r1 != r2 && bad++ == 0)
			printf("# ip differs on '%.*s'\n", (int)n, buf);
		if (r1 == 0 && memchr(buf, ':', n) != NULL)
			good6++;
		else if (r1 == 0)
			good4++;
	}
	ok(bad == 0 && good4 > 10000 && good6 > 10000,
	    "ip equals its definition (inet_pton for IPv6) on 400000 random "
	    "strings (%u IPv4, %u IPv6 valid)", good4, good6);
}

/* Random strings near the IPv4 shape: the fast path against the definition. */
static void
test_ipport_random(void)
{
	static const char alpha[] = "0123456789012345..::2559[]a";
	uint64_t rs = 7;
	char buf[32];
	unsigned i, bad = 0, good = 0;

	for (i = 0; i < 300000; i++) {
		size_t n = 0, want, j;
		struct slice a1 = SLICE_NONE, a2 = SLICE_NONE;
		uint32_t p1 = 0, p2 = 0;
		int r1, r2;

		rs = rs * 6364136223846793005ULL + 1442695040888963407ULL;
		want = 3 + (size_t)(rs >> 59);
		if (i % 2 == 0) {
			/* mostly well-formed: a.b.c.d:port with small edits */
			n = (size_t)snprintf(buf, sizeof(buf), "%u.%u.%u.%u:%u",
			    (unsigned)(rs >> 8) % 300, (unsigned)(rs >> 17) % 260,
			    (unsigned)(rs >> 26) % 110, (unsigned)(rs >> 35) % 1000,
			    (unsigned)(rs >> 44) % 70000);
			if ((rs >> 20) % 4 == 0)
				buf[(rs >> 30) % n] = alpha[(rs >> 40) % (sizeof(alpha) - 1)];
		} else {
			for (j = 0; j < want && j < sizeof(buf); j++) {
				rs = rs * 6364136223846793005ULL + 1442695040888963407ULL;
				buf[n++] = alpha[(rs >> 33) % (sizeof(alpha) - 1)];
			}
		}
		r1 = lbval_ipport(slice_make(buf, n), &a1, &p1);
		r2 = ipport_ref(slice_make(buf, n), &a2, &p2);
		if (r1 != r2 || (r1 == 0 && (a1.p != a2.p || a1.n != a2.n ||
		    p1 != p2))) {
			if (bad++ == 0)
				printf("# ipport differs on '%.*s'\n", (int)n, buf);
		}
		/* With the rest of the buffer readable (what earlier strings
		 * left there after the value): the 16-byte path. */
		r1 = lbval_ipport_in(slice_make(buf, n), sizeof(buf), &a1, &p1);
		if (r1 != r2 || (r1 == 0 && (a1.p != a2.p || a1.n != a2.n ||
		    p1 != p2))) {
			if (bad++ == 0)
				printf("# ipport_in differs on '%.*s'\n", (int)n,
				    buf);
		}
		good += r1 == 0;
	}
	ok(bad == 0 && good > 10000,
	    "ipport (and ipport_in, 16 bytes readable) equals its definition "
	    "on 300000 random strings (%u valid)",
	    good);
}

/* lbval_time()'s definition, byte by byte. */
static int
time_ref(const char *p, size_t n, int *z)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";
	static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	size_t i;
	int y, m, d;

	if (n < 19)
		return -1;
	for (i = 0; i < 19; i++)
		if (shape[i] == 'd' ? !(p[i] >= '0' && p[i] <= '9') :
		    p[i] != shape[i])
			return -1;
	y = atoi(p);
	m = (p[5] - '0') * 10 + p[6] - '0';
	d = (p[8] - '0') * 10 + p[9] - '0';
	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1] ||
	    (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) ||
	    (p[11] - '0') * 10 + p[12] - '0' > 23 ||
	    (p[14] - '0') * 10 + p[15] - '0' > 59 ||
	    (p[17] - '0') * 10 + p[18] - '0' > 59)
		return -1;
	i = 19;
	if (i < n && p[i] == '.') {
		size_t s0 = ++i;

		while (i < n && p[i] >= '0' && p[i] <= '9')
			i++;
		if (i == s0 || i - s0 > 9)
			return -1;
	}
	*z = i < n && p[i] == 'Z';
	i += (size_t)*z;
	return i == n ? 0 : -1;
}

static void
test_time_random(void)
{
	static const char alpha[] = "0123456789.Z-T: \x80\xB9/";
	uint64_t rs = 11;
	char buf[48];
	unsigned i, bad = 0, good = 0;

	for (i = 0; i < 300000; i++) {
		int n, z1 = -1, z2 = -1, r1, r2;

		rs = rs * 6364136223846793005ULL + 1442695040888963407ULL;
		n = snprintf(buf, sizeof(buf),
		    "%04u-%02u-%02uT%02u:%02u:%02u.%.*uZ",
		    (unsigned)(rs >> 8) % 2500, (unsigned)(rs >> 20) % 14,
		    (unsigned)(rs >> 25) % 32, (unsigned)(rs >> 30) % 25,
		    (unsigned)(rs >> 35) % 61, (unsigned)(rs >> 41) % 61,
		    (int)((rs >> 47) % 11), (unsigned)(rs >> 13) % 1000000000);
		if ((rs >> 51) % 3 == 0)
			buf[(rs >> 54) % (unsigned)n] =
			    alpha[(rs >> 3) % (sizeof(alpha) - 1)];
		if ((rs >> 58) % 4 == 0)
			n -= (int)((rs >> 60) % (unsigned)n);
		r1 = lbval_time(slice_make(buf, (size_t)n), &z1);
		r2 = time_ref(buf, (size_t)n, &z2);
		if (r1 != r2 || (r1 == 0 && z1 != z2)) {
			if (bad++ == 0)
				printf("# time differs on '%.*s'\n", n, buf);
		}
		good += r1 == 0;
	}
	ok(bad == 0 && good > 10000,
	    "time equals its definition on 300000 random strings (%u valid)",
	    good);
}

static void
request_is(const char *s, const char *m, const char *u, const char *v)
{
	struct lb_request r;

	memset(&r, 0xAA, sizeof(r));
	lbval_request(s ? S(s) : SLICE_NONE, &r);
	ok(slice_is(r.method, m) && slice_is(r.url, u) && slice_is(r.version, v),
	    "request '%s' -> method %s, url %s, version %s", s ? s : "(absent)",
	    m ? m : "-", u ? u : "-", v ? v : "-");
}

static void
test_request(void)
{
	request_is("GET https://shop.example.com:443/cart?id=7 HTTP/1.1", "GET",
	    "https://shop.example.com:443/cart?id=7", "1.1");
	request_is("POST http://shop.example.com:80/fn HTTP/2.0", "POST",
	    "http://shop.example.com:80/fn", "2.0");
	request_is("GET /relative/path?x=1 HTTP/1.0", "GET",
	    "/relative/path?x=1", "1.0");
	request_is("- - -", NULL, NULL, NULL);
	request_is("- - - ", NULL, NULL, NULL);	/* CLB TCP: trailing space */
	request_is("- http://host:80- -", NULL, "http://host:80-", NULL);
	request_is("GET /a b HTTP/1.1", "GET", "/a b", "1.1");
	request_is("GET /x", "GET", "/x", NULL);
	request_is("GARBAGE", NULL, "GARBAGE", NULL);
	request_is("-", NULL, NULL, NULL);
	request_is("", NULL, NULL, NULL);
	request_is("   ", NULL, NULL, NULL);
	request_is(NULL, NULL, NULL, NULL);
	request_is("GET /x FOO/1", "GET", "/x", "FOO/1");
	request_is("GET /x HTTP/", "GET", "/x", "HTTP/");
	request_is("CONNECT shop.example.com:443 HTTP/1.1", "CONNECT",
	    "shop.example.com:443", "1.1");
}

/* Check every part of lbval_url(${s}); NULL means absent, port -1. */
static void
url_is(const char *s, int want_rc, const char *scheme, const char *domain,
    int port, const char *path, const char *query, const char *fragment)
{
	struct lb_url u;
	int rc;

	memset(&u, 0xAA, sizeof(u));
	rc = lbval_url(S(s), &u);
	if (want_rc != 0) {
		ok(rc != 0, "url rejected: '%s'", s);
		return;
	}
	ok(rc == 0 && slice_is(u.scheme, scheme) && slice_is(u.domain, domain) &&
	    u.port == port && slice_is(u.path, path) &&
	    slice_is(u.query, query) && slice_is(u.fragment, fragment),
	    "url %s -> %s | %s | %d | %s | %s | %s", s, scheme ? scheme : "-",
	    domain ? domain : "-", port, path ? path : "-", query ? query : "-",
	    fragment ? fragment : "-");
}

static void
test_url(void)
{
	url_is("https://shop.example.com:443/cart?id=7", 0, "https",
	    "shop.example.com", 443, "/cart", "id=7", NULL);
	url_is("http://shop.example.com:80/fn", 0, "http", "shop.example.com",
	    80, "/fn", NULL, NULL);
	url_is("https://shop.example.com", 0, "https", "shop.example.com", -1,
	    NULL, NULL, NULL);
	url_is("https://shop.example.com/", 0, "https", "shop.example.com", -1,
	    "/", NULL, NULL);
	url_is("http://h:8080/a/b?c=d&e=f#frag", 0, "http", "h", 8080, "/a/b",
	    "c=d&e=f", "frag");
	url_is("http://h/p#f?notquery", 0, "http", "h", -1, "/p", NULL,
	    "f?notquery");
	url_is("http://h/p?a#b?c", 0, "http", "h", -1, "/p", "a", "b?c");
	url_is("http://h?x=1", 0, "http", "h", -1, NULL, "x=1", NULL);
	url_is("http://h#top", 0, "http", "h", -1, NULL, NULL, "top");
	url_is("http://h/p?", 0, "http", "h", -1, "/p", "", NULL);
	/* Userinfo is not part of the domain. */
	url_is("http://user:pw@shop.example.com:8080/p", 0, "http",
	    "shop.example.com", 8080, "/p", NULL, NULL);
	url_is("http://a@b@h/p", 0, "http", "h", -1, "/p", NULL, NULL);
	url_is("http://h/p@q", 0, "http", "h", -1, "/p@q", NULL, NULL);
	url_is("http://h?x=@y", 0, "http", "h", -1, NULL, "x=@y", NULL);
	/* IPv6 hosts. */
	url_is("http://[2001:db8::1]:8080/v6?x=1", 0, "http", "2001:db8::1",
	    8080, "/v6", "x=1", NULL);
	url_is("http://[::1]/", 0, "http", "::1", -1, "/", NULL, NULL);
	url_is("http://u@[::1]:8/", 0, "http", "::1", 8, "/", NULL, NULL);
	/* Relative URLs (origin form). */
	url_is("/relative/path?x=1&y=2", 0, NULL, NULL, -1, "/relative/path",
	    "x=1&y=2", NULL);
	url_is("/", 0, NULL, NULL, -1, "/", NULL, NULL);
	url_is("/?only=query", 0, NULL, NULL, -1, "/", "only=query", NULL);
	url_is("/p#f", 0, NULL, NULL, -1, "/p", NULL, "f");
	/* Other schemes. */
	url_is("wss://shop.example.com:443/socket", 0, "wss",
	    "shop.example.com", 443, "/socket", NULL, NULL);
	url_is("git+ssh://h/r", 0, "git+ssh", "h", -1, "/r", NULL, NULL);
	url_is("HTTP://H:1/", 0, "HTTP", "H", 1, "/", NULL, NULL);
	url_is("http://:80/x", 0, "http", NULL, 80, "/x", NULL, NULL);
	url_is("http://", 0, "http", NULL, -1, NULL, NULL, NULL);
	url_is("http://h:65535/", 0, "http", "h", 65535, "/", NULL, NULL);
	url_is("http://h:0/", 0, "http", "h", 0, "/", NULL, NULL);
	/* Not URLs: callers then keep url.original only. */
	url_is("", 1, NULL, NULL, -1, NULL, NULL, NULL);
	url_is("*", 1, NULL, NULL, -1, NULL, NULL, NULL);
	url_is("GARBAGE", 1, NULL, NULL, -1, NULL, NULL, NULL);
	url_is("shop.example.com:443", 1, NULL, NULL, -1, NULL, NULL, NULL);
	url_is("http://shop.example.com:80-", 1, NULL, NULL, -1, NULL, NULL,
	    NULL);
	url_is("http://h:65536/", 1, NULL, NULL, -1, NULL, NULL, NULL);
	url_is("http://h:99999/", 1, NULL, NULL, -1, NULL, NULL, NULL);
	url_is("http://h:/", 1, NULL, NULL, -1, NULL, NULL, NULL);
	url_is("http://h:8a/", 1, NULL, NULL, -1, NULL, NULL, NULL);
	url_is("http://[::1/", 1, NULL, NULL, -1, NULL, NULL, NULL);
	url_is("http://[::1]x/", 1, NULL, NULL, -1, NULL, NULL, NULL);
	url_is("http:/h/", 1, NULL, NULL, -1, NULL, NULL, NULL);
	url_is("1http://h/", 1, NULL, NULL, -1, NULL, NULL, NULL);
	url_is("://h/", 1, NULL, NULL, -1, NULL, NULL, NULL);
	url_is("?q", 1, NULL, NULL, -1, NULL, NULL, NULL);
	ok(lbval_url(SLICE_NONE, &(struct lb_url){ { 0 }, { 0 }, { 0 }, { 0 },
	    { 0 }, 0, { 0 } }) != 0, "url rejected: absent");
}

/* url.extension's definition (struct lb_url): the path's last segment,
 * then what follows its last dot, if anything does. */
static struct slice
ext_ref(struct slice path)
{
	const char *seg, *dot, *end;

	if (path.p == NULL)
		return SLICE_NONE;
	end = path.p + path.n;
	seg = memrchr(path.p, '/', path.n);
	seg = seg != NULL ? seg + 1 : path.p;
	dot = memrchr(seg, '.', (size_t)(end - seg));
	if (dot == NULL || dot + 1 == end)
		return SLICE_NONE;
	return slice_make(dot + 1, (size_t)(end - dot - 1));
}

static int
same_slice(struct slice a, struct slice b)
{
	return a.p == b.p && a.n == b.n;
}

static int
same_url(const struct lb_url *a, const struct lb_url *b)
{
	return same_slice(a->scheme, b->scheme) &&
	    same_slice(a->domain, b->domain) && same_slice(a->path, b->path) &&
	    same_slice(a->query, b->query) &&
	    same_slice(a->fragment, b->fragment) && a->port == b->port &&
	    same_slice(a->extension, b->extension);
}

/*
 * Random URLs of the bytes a split looks for: lbval_url_in() (64 bytes
 * readable: its one look at them) against lbval_url(), and lbval_url()'s
 * url.extension against its definition.
 */
static void
test_url_random(void)
{
	static const char *const head[] = { "https://", "http://", "/",
	    "wss://", "https://u@", "http://[::1]", "", "https://h:" };
	static const char alpha[] = "/?#@:.[]ab1h9/..";
	uint64_t rs = 23;
	char buf[160];
	unsigned i, bad = 0, good = 0, ext = 0;

	for (i = 0; i < 300000; i++) {
		struct lb_url u1, u2;
		size_t n, j, hn;
		const char *h;
		int r1, r2;

		rs = rs * 6364136223846793005ULL + 1442695040888963407ULL;
		h = head[(rs >> 33) % 8];
		hn = strlen(h);
		n = hn + (size_t)(rs >> 50) % (66 - hn);
		memcpy(buf, h, hn);
		for (j = hn; j < n; j++) {
			rs = rs * 6364136223846793005ULL + 1442695040888963407ULL;
			buf[j] = (rs >> 61) < 5 ? (char)('a' + (rs >> 33) % 26) :
			    alpha[(rs >> 33) % (sizeof(alpha) - 1)];
		}
		memset(buf + n, '/', sizeof(buf) - n);
		memset(&u1, 0xAA, sizeof(u1));
		memset(&u2, 0x55, sizeof(u2));
		r1 = lbval_url_in(slice_make(buf, n), sizeof(buf), &u1);
		r2 = lbval_url(slice_make(buf, n), &u2);
		if ((r1 != r2 || (r1 == 0 && !same_url(&u1, &u2))) &&
		    bad++ == 0)
			printf("# url_in differs on '%.*s'\n", (int)n, buf);
		if (r2 == 0 && !same_slice(u2.extension, ext_ref(u2.path)) &&
		    bad++ == 0)
			printf("# url.extension differs on '%.*s'\n", (int)n,
			    buf);
		good += r2 == 0;
		ext += r2 == 0 && u2.extension.p != NULL;
	}
	ok(bad == 0 && good > 50000 && ext > 10000,
	    "url_in equals url, url.extension its definition, on 300000 "
	    "random URLs (%u valid, %u with an extension)", good, ext);
}

int
main(void)
{
	test_time();
	test_time_random();
	test_uint();
	test_dec();
	test_ip();
	test_ipport();
	test_ipport_random();
	test_ip_random();
	test_number_random();
	test_request();
	test_url();
	test_url_random();
	return tap_done();
}
