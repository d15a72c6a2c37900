/*
 * ecs.c: per-file state, the parts every document shares, dispatch by log
 * type, and error documents.  See ecs.h; the field list is docs/fields.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "encode/ecs_int.h"
#include "parse/albconn.h"
#include "parse/alb.h"
#include "parse/clb.h"
#include "parse/nlb.h"
#include "util/xalloc.h"

#define ECS_VERSION "8.11.0"

/* Append the JSON string "s" (quotes included) to o. */
static char *
put_cstr(char *o, const char *s)
{
	*o++ = '"';
	o = jsonw_raw_str(o, slice_make(s, strlen(s)));
	*o++ = '"';
	return o;
}

/*
 * The time of error documents for lines without a readable one: the end
 * of the interval an AWS file name gives; else the file's modification
 * time; else the Unix epoch.  Never the clock: a rerun must give the same
 * document the same @timestamp, or a dated index would take it twice.
 */
static void
format_fallback_time(struct ecs_file *f, const struct lbname *nm,
    int64_t mtime)
{
	if (nm->type != LB_UNKNOWN) {
		const char *e = nm->end.p;	/* 20251103T1020Z */

		f->nfallback_time = (size_t)snprintf(f->fallback_time,
		    sizeof(f->fallback_time), "%.4s-%.2s-%.2sT%.2s:%.2s:00Z",
		    e, e + 4, e + 6, e + 9, e + 11);
	} else {
		time_t when = (time_t)(mtime > 0 ? mtime : 0);
		struct tm tm;

		gmtime_r(&when, &tm);
		f->nfallback_time = strftime(f->fallback_time,
		    sizeof(f->fallback_time), "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
}

/**
 * ecs_file_new(opts, origin): see ecs.h.
 */
struct ecs_file *
ecs_file_new(const struct ecs_opts *opts, const struct ecs_origin *origin)
{
	struct ecs_file *f;
	struct lbname nm;
	struct slice id;
	const char *namesrc;
	size_t cap, i;
	char *o;

	f = xcalloc(1, sizeof(*f));
	f->opts = opts;
	namesrc = origin->name ? origin->name :
	    origin->key ? origin->key : origin->path ? origin->path : "-";
	id = docid_identity(slice_make(namesrc, strlen(namesrc)));
	f->identity = xstrndup(id.p, id.n);
	lbname_parse(f->identity, strlen(f->identity), &nm);
	if (nm.type == LB_UNKNOWN && origin->name == NULL &&
	    origin->bucket != NULL && origin->key != NULL) {
		/*
		 * An S3 object not named as AWS names logs: its name alone
		 * may recur under other prefixes, so the ids derive from the
		 * whole bucket/key (which the function and a backfill share).
		 */
		size_t n = strlen(origin->bucket) + strlen(origin->key) + 2;

		free(f->identity);
		f->identity = xmalloc(n);
		snprintf(f->identity, n, "%s/%s", origin->bucket, origin->key);
		id = slice_make(f->identity, n - 1);
	}
	docid_base(id, f->idbase);
	f->name_type = nm.type;
	format_fallback_time(f, &nm, origin->mtime);

	/* Every string below is escaped: at most 6 bytes out per byte in. */
	cap = 512;
	cap += 6 * strlen(f->identity) * 2;	/* region, account */
	cap += 6 * (origin->path ? strlen(origin->path) : 0);
	cap += 12 * (origin->bucket ? strlen(origin->bucket) : 0);
	cap += 12 * (origin->key ? strlen(origin->key) : 0);
	for (i = 0; i < opts->nlabels; i++)
		cap += 6 * (strlen(opts->labels[i].key) +
		    strlen(opts->labels[i].value)) + 8;
	f->common = o = xmalloc(cap);
	o = JW(o, ",\"ecs\":{\"version\":\"" ECS_VERSION "\"}");
	o = JW(o, ",\"cloud\":{\"provider\":\"aws\"");
	if (nm.type != LB_UNKNOWN) {
		o = JW(o, ",\"region\":\"");
		o = jsonw_raw_str(o, nm.region);
		o = JW(o, "\",\"account\":{\"id\":\"");
		o = jsonw_raw_str(o, nm.account);
		o = JW(o, "\"}");
	}
	*o++ = '}';
	if (opts->nlabels > 0) {
		o = JW(o, ",\"labels\":{");
		for (i = 0; i < opts->nlabels; i++) {
			if (i > 0)
				*o++ = ',';
			o = put_cstr(o, opts->labels[i].key);
			*o++ = ':';
			o = put_cstr(o, opts->labels[i].value);
		}
		*o++ = '}';
	}
	o = JW(o, ",\"log\":{\"file\":{\"path\":\"");
	if (origin->bucket != NULL) {
		o = JW(o, "s3://");
		o = jsonw_raw_str(o, slice_make(origin->bucket,
		    strlen(origin->bucket)));
		*o++ = '/';
		o = jsonw_raw_str(o, slice_make(origin->key, strlen(origin->key)));
	} else {
		const char *p = origin->path ? origin->path : "-";

		o = jsonw_raw_str(o, slice_make(p, strlen(p)));
	}
	o = JW(o, "\"},\"offset\":");
	f->ncommon = (size_t)(o - f->common);

	f->aws_tail = o = xmalloc(cap);
	if (origin->bucket != NULL) {
		o = JW(o, ",\"s3\":{\"bucket\":{\"name\":");
		o = put_cstr(o, origin->bucket);
		o = JW(o, "},\"object\":{\"key\":");
		o = put_cstr(o, origin->key);
		o = JW(o, "}}");
	}
	*o++ = '}';
	f->naws_tail = (size_t)(o - f->aws_tail);
	return f;
}

/**
 * ecs_file_type(f): see ecs.h.
 */
enum lbtype
ecs_file_type(const struct ecs_file *f)
{
	return f->name_type;
}

/**
 * ecs_file_identity(f): see ecs.h.
 */
const char *
ecs_file_identity(const struct ecs_file *f)
{
	return f->identity;
}

/**
 * ecs_bound(f, n): see ecs.h.
 *
 * Every line byte appears in at most four string fields (the request in
 * url.original, in url.path/query/domain and in url.extension, and in
 * event.original; a connection log's client IP in source.address,
 * source.ip, client.ip and event.original), each growing at most 6x when
 * escaped (JSONW_STR_MAX); 4 KiB covers the field names and numbers.
 */
size_t
ecs_bound(const struct ecs_file *f, size_t n)
{
	return 4 * JSONW_STR_MAX(n) + 4096 + f->ncommon + f->naws_tail +
	    sizeof(((struct ecs_result *)0)->error) * 6;
}

/**
 * ecs_file_free(f): see ecs.h.
 */
void
ecs_file_free(struct ecs_file *f)
{
	if (f == NULL)
		return;
	free(f->identity);
	free(f->common);
	free(f->aws_tail);
	free(f);
}

char *
ecs_source(char *o, struct slice ip, uint32_t port, int plain)
{
	const char *a;

	if (ip.p == NULL)
		return o;
	/* Every part there: the fixed text as literals. */
	o = ecs_sep(o);
	o = JW(o, "\"source\":{\"address\":\"");
	a = o;
	o = JSTR(o, ip, plain);
	/* source.ip is the same JSON text: copy what was just written. */
	ip = slice_make(a, (size_t)(o - a));
	o = JW(o, "\",\"ip\":\"");
	o = jsonw_bytes(o, ip);
	o = JW(o, "\",\"port\":");
	o = jsonw_u64(o, port);
	*o++ = '}';
	return o;
}

char *
ecs_client(char *o, struct slice ip, int64_t port, int plain)
{
	char *m;

	if (ip.p == NULL && port < 0)
		return o;
	OPEN(o, m, "client");
	PUT_STR(o, "ip", ip, plain);
	PUT_INT(o, "port", port);
	CLOSE(o, m);
	return o;
}

#if defined(__SSE2__)
/*
 * 1 if the ${n} (3 to 32) bytes at ${p}, 32 of them readable, are a
 * quoted list with nothing to take off or escape: quotes only around
 * each element (first and last byte, either side of each comma), no
 * element empty, no '\\', control byte or byte >= 0x80.  Such a list is
 * already the JSON text of its array's elements.
 */
static int
plain_quoted_list(const char *p, size_t n)
{
	const __m128i a = _mm_loadu_si128((const __m128i *)(const void *)p);
	const __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(p + 16));
	const __m128i vq = _mm_set1_epi8('"'), vc = _mm_set1_epi8(',');
	const __m128i vb = _mm_set1_epi8('\\'), v20 = _mm_set1_epi8(0x20);
	uint32_t valid = n >= 32 ? ~(uint32_t)0 : ((uint32_t)1 << n) - 1;
	uint32_t qt, cm, sx, op, cl;

#define M(x) ((uint32_t)(unsigned)_mm_movemask_epi8(x))
	qt = (M(_mm_cmpeq_epi8(a, vq)) | M(_mm_cmpeq_epi8(b, vq)) << 16) & valid;
	cm = (M(_mm_cmpeq_epi8(a, vc)) | M(_mm_cmpeq_epi8(b, vc)) << 16) & valid;
	/* signed: 0x20 > x for a control byte or one >= 0x80 */
	sx = (M(_mm_or_si128(_mm_cmpeq_epi8(a, vb), _mm_cmpgt_epi8(v20, a))) |
	    M(_mm_or_si128(_mm_cmpeq_epi8(b, vb), _mm_cmpgt_epi8(v20, b))) << 16) &
	    valid;
#undef M
	/* opening quotes at the start and after each comma, closing ones
	 * before each comma and at the end: distinct, and not next to each
	 * other (an empty element) */
	op = 1u | cm << 1;
	cl = (uint32_t)1 << (n - 1) | cm >> 1;
	return sx == 0 && qt == (op | cl) && (op & cl) == 0 &&
	    (op << 1 & cl) == 0;
}
#endif

char *
ecs_quoted_list(char *o, const char *key, size_t nkey, struct slice list,
    const char *lend)
{
	const char *p, *end, *q, *a, *b;
	char *mark = o;

	if (list.p == NULL)
		return o;
	o = ecs_sep(o);
	*o++ = '"';
	o = jsonw_bytes(o, slice_make(key, nkey));
	o = JW(o, "\":[");
#if defined(__SSE2__)
	if (list.n - 3 <= 29 && lend - list.p >= 32 &&
	    plain_quoted_list(list.p, list.n)) {
		/* "h2","http/1.1": what the loop below writes. */
		o = jsonw_bytes(o, list);
		*o++ = ']';
		return o;
	}
#else
	(void)lend;
#endif
	p = list.p;
	end = p + list.n;
	while (p <= end) {
		q = memchr(p, ',', (size_t)(end - p));
		if (q == NULL)
			q = end;
		a = p;
		b = q;
		if (b - a >= 1 && *a == '\\')
			a++;
		if (b > a && *a == '"')
			a++;
		if (b > a && b[-1] == '"')
			b--;
		if (b > a && b[-1] == '\\')
			b--;
		if (b > a) {
			o = ecs_sep(o);
			*o++ = '"';
			o = jsonw_str(o, slice_make(a, (size_t)(b - a)));
			*o++ = '"';
		}
		p = q + 1;
	}
	if (o[-1] == '[')
		return mark;
	*o++ = ']';
	return o;
}

char *
ecs_url(char *o, struct slice url, const char *end, int plain)
{
	struct lb_url u;

	if (url.p == NULL)
		return o;
	o = ecs_sep(o);
	o = JW(o, "\"url\":{\"original\":\"");
	o = JSTR(o, url, plain);
	*o++ = '"';
	if (lbval_url_in(url, (size_t)(end - url.p), &u) == 0) {
		/* After "original": commas. */
		PUT_STRC(o, "scheme", u.scheme, plain);
		PUT_STRC(o, "domain", u.domain, plain);
		if (u.port >= 0) {
			o = JW(o, ",\"port\":");
			o = jsonw_u64(o, (uint64_t)u.port);
		}
		PUT_STRC(o, "path", u.path, plain);
		PUT_STRC(o, "extension", u.extension, plain);
		PUT_STRC(o, "query", u.query, plain);
		PUT_STRC(o, "fragment", u.fragment, plain);
	}
	*o++ = '}';
	return o;
}

/*
 * tls.version and tls.version_protocol from "TLSv1.2" or NLB's "tlsv12":
 * the protocol is the lower-cased part before 'v', the version the part
 * after, with a '.' after its first digit if it has none ("12" -> "1.2").
 * Elastic's ingest pipeline does the same.
 */
char *
ecs_tls(char *o, struct slice cipher, struct slice proto, int plain)
{
	const char *v = NULL;
	char *m;
	size_t i;

	if (cipher.p == NULL && proto.p == NULL)
		return o;
	if (proto.p != NULL && ((proto.n == 7 &&
	    memcmp(proto.p, "TLSv1.", 6) == 0) || (proto.n == 6 &&
	    memcmp(proto.p, "tlsv1", 5) == 0)) &&
	    proto.p[proto.n - 1] >= '0' && proto.p[proto.n - 1] <= '9') {
		/* ALB's and CLB's TLSv1.2 and TLSv1.3, NLB's tlsv12 and
		 * tlsv13: what the loop below gives, without it, the fixed
		 * text as literals. */
		o = ecs_sep(o);
		if (cipher.p != NULL) {
			o = JW(o, "\"tls\":{\"cipher\":\"");
			o = JSTR(o, cipher, plain);
			o = JW(o, "\",\"version\":\"1.");
		} else {
			o = JW(o, "\"tls\":{\"version\":\"1.");
		}
		*o++ = proto.p[proto.n - 1];
		return JW(o, "\",\"version_protocol\":\"tls\"}");
	}
	OPEN(o, m, "tls");
	PUT_STR(o, "cipher", cipher, plain);
	if (proto.p != NULL)
		v = memchr(proto.p, 'v', proto.n);
	if (v != NULL && v > proto.p && v + 1 < proto.p + proto.n) {
		struct slice ver = slice_make(v + 1,
		    (size_t)(proto.p + proto.n - v - 1));
		int ok = 1;

		for (i = 0; i < ver.n; i++)
			if (!((ver.p[i] >= '0' && ver.p[i] <= '9') || ver.p[i] == '.'))
				ok = 0;
		if (ok) {
			KEY(o, "version");
			*o++ = '"';
			if (memchr(ver.p, '.', ver.n) != NULL) {
				o = jsonw_bytes(o, ver);
			} else {
				*o++ = ver.p[0];
				*o++ = '.';
				if (ver.n > 1)
					o = jsonw_bytes(o, slice_make(ver.p + 1,
					    ver.n - 1));
				else
					*o++ = '0';
			}
			*o++ = '"';
			KEY(o, "version_protocol");
			*o++ = '"';
			for (i = 0; i < (size_t)(v - proto.p); i++) {
				char c = proto.p[i];

				if (c >= 'A' && c <= 'Z')
					c = (char)(c + 32);
				if (c == '"' || c == '\\' || (unsigned char)c < 0x20 ||
				    (unsigned char)c >= 0x80)
					c = '?';
				*o++ = c;
			}
			*o++ = '"';
		}
	}
	CLOSE(o, m);
	return o;
}

char *
ecs_backend(char *o, struct slice ip, uint32_t port, int64_t status,
    int plain)
{
	char *m;

	if (ip.p == NULL && status < 0)
		return o;
	if (ip.p != NULL && status >= 0) {
		/* Both (most lines): the fixed text as literals. */
		o = ecs_sep(o);
		o = JW(o, "\"backend\":{\"ip\":\"");
		o = JSTR(o, ip, plain);
		o = JW(o, "\",\"port\":\"");
		o = jsonw_u64(o, port);
		o = JW(o, "\",\"http\":{\"response\":{\"status_code\":");
		o = jsonw_u64(o, (uint64_t)status);
		return JW(o, "}}}");
	}
	OPEN(o, m, "backend");
	PUT_STR(o, "ip", ip, plain);
	if (ip.p != NULL)
		PUT_INT_STR(o, "port", (int64_t)port);
	if (status >= 0) {
		KEYV(o, "http", "{\"response\":{\"status_code\":");
		o = jsonw_u64(o, (uint64_t)status);
		o = JW(o, "}}");
	}
	CLOSE(o, m);
	return o;
}

char *
ecs_times(char *o, struct slice request, struct slice backend,
    struct slice response)
{
	if (request.p != NULL && backend.p != NULL && response.p != NULL) {
		/* All three (most lines): the fixed text as literals. */
		o = ecs_sep(o);
		o = JW(o, "\"request_processing_time\":{\"sec\":");
		o = jsonw_bytes(o, request);
		o = JW(o, "},\"backend_processing_time\":{\"sec\":");
		o = jsonw_bytes(o, backend);
		o = JW(o, "},\"response_processing_time\":{\"sec\":");
		o = jsonw_bytes(o, response);
		*o++ = '}';
		return o;
	}
	PUT_NUMOBJ(o, "request_processing_time", "sec", request);
	PUT_NUMOBJ(o, "backend_processing_time", "sec", backend);
	PUT_NUMOBJ(o, "response_processing_time", "sec", response);
	return o;
}

char *
ecs_list(char *o, const char *key, size_t nkey, struct slice list, char sep,
    int plain)
{
	const char *p, *end, *q;

	if (list.p == NULL)
		return o;
	o = ecs_sep(o);
	*o++ = '"';
	o = jsonw_bytes(o, slice_make(key, nkey));
	o = JW(o, "\":[");
	p = list.p;
	end = p + list.n;
	while (p <= end) {
		q = memchr(p, sep, (size_t)(end - p));
		if (q == NULL)
			q = end;
		if (q > p) {
			o = ecs_sep(o);
			*o++ = '"';
			o = JSTR(o, slice_make(p, (size_t)(q - p)), plain);
			*o++ = '"';
		}
		p = q + 1;
	}
	*o++ = ']';
	return o;
}

char *
ecs_extra(char *o, struct slice extra)
{
	struct lbtok t[16];
	struct lb_err e;
	struct slice more = extra;
	int k, i;

	if (extra.p == NULL)
		return o;
	KEY(o, "extra_fields");
	*o++ = '[';
	do {
		struct slice here = more;

		k = lbtok_split(here.p, here.n, t, 16, &more, &e);
		if (k < 0) {
			/* Cannot split (unterminated quote): keep it whole. */
			o = ecs_sep(o);
			*o++ = '"';
			o = jsonw_str(o, here);
			*o++ = '"';
			break;
		}
		for (i = 0; i < k; i++) {
			o = ecs_sep(o);
			*o++ = '"';
			o = jsonw_str(o, slice_make(t[i].p, t[i].n));
			*o++ = '"';
		}
	} while (more.p != NULL);
	*o++ = ']';
	return o;
}

/*
 * The best time for an error document: the line's own timestamp if one of
 * its first two tokens is one (every log type has it there), else the end
 * of the file's interval from its name, else the time of the run.
 */
static struct slice
error_time(struct ecs_file *f, const char *line, size_t n, int *z)
{
	const char *p = line, *end = line + n, *sp;
	int i;

	for (i = 0; i < 3 && p < end; i++) {
		struct slice t;

		sp = memchr(p, ' ', (size_t)(end - p));
		t = slice_make(p, sp ? (size_t)(sp - p) : (size_t)(end - p));
		if (lbval_time(t, z) == 0)
			return t;
		if (sp == NULL)
			break;
		p = sp + 1;
	}
	*z = 1;
	return slice_make(f->fallback_time, f->nfallback_time);
}

static char *
error_doc(struct ecs_file *f, const char *line, size_t n, uint64_t off,
    char *o, struct ecs_result *res)
{
	struct slice t;
	int z;
	size_t ml = strlen(res->error);

	res->malformed = 1;
	t = error_time(f, line, n, &z);
	o = JW(o, "{\"@timestamp\":\"");
	o = jsonw_bytes(o, t);
	if (!z)
		*o++ = 'Z';
	o = JW(o, "\",\"event\":{\"id\":\"");
	res->idlen = docid_make(f->idbase, off, res->id);
	o = jsonw_bytes(o, slice_make(res->id, res->idlen));
	o = JW(o, "\",\"kind\":\"pipeline_error\",\"dataset\":\"aws.elb_logs\","
	    "\"module\":\"aws\",\"original\":\"");
	o = jsonw_raw_str(o, slice_make(line, n));
	o = JW(o, "\"}");
	o = jsonw_bytes(o, slice_make(f->common, f->ncommon));
	o = jsonw_u64(o, off);
	o = JW(o, "},\"error\":{\"type\":\"parse_error\",\"message\":\"");
	o = jsonw_raw_str(o, slice_make(res->error, ml));
	o = JW(o, "\"},\"tags\":[\"_elbship_parse_error\"]");
	if (f->naws_tail > 1) {
		o = JW(o, ",\"aws\":{");
		o = jsonw_bytes(o, slice_make(f->aws_tail + 1, f->naws_tail - 1));
	}
	*o++ = '}';
	return o;
}

char *
ecs_parse_error(struct ecs_file *f, const char *line, size_t n, uint64_t off,
    enum lbtype type, const struct lb_err *err, char *o,
    struct ecs_result *res)
{
	size_t l = (size_t)snprintf(res->error, sizeof(res->error), "%s: ",
	    lbtype_title(type));

	if (l >= sizeof(res->error))
		l = sizeof(res->error) - 1;
	lb_err_format(err, res->error + l, sizeof(res->error) - l);
	return error_doc(f, line, n, off, o, res);
}

/*
 * The type from the line's shape; the first type in the order ALB, NLB,
 * Classic, connection log whose shape it has.  Classic and connection
 * log lines start with their time, so with a digit; ALB's type word and
 * NLB's "tls" with a letter: only the checks that can match are run.
 */
static enum lbtype
sniff(const char *line, size_t n)
{
	if (n > 0 && (unsigned char)(line[0] - '0') < 10) {
		if (clb_looks_like(line, n))
			return LB_CLB;
		if (albconn_looks_like(line, n))
			return LB_ALBCONN;
		return LB_UNKNOWN;
	}
	if (alb_looks_like(line, n))
		return LB_ALB;
	if (nlb_looks_like(line, n))
		return LB_NLB;
	return LB_UNKNOWN;
}

/*
 * The offsets of the first three spaces of a line (n for each missing).
 * With SSE2, one look at the first 64 bytes when they hold all three.
 */
static void
first_spaces(const char *line, size_t n, size_t sp[3])
{
	const char *p = line, *end = line + n, *q;
	int i;

#if defined(__SSE2__)
	if (n >= 64) {
		const __m128i vs = _mm_set1_epi8(' ');
		uint64_t m = 0, m2, m3;

		for (i = 0; i < 4; i++)
			m |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(
			    _mm_loadu_si128((const __m128i *)(const void *)
			    (line + 16 * i)), vs)) << (16 * i);
		m2 = m & (m - 1);
		m3 = m2 & (m2 - 1);
		if (m3 != 0) {
			/* three spaces or more */
			sp[0] = (size_t)__builtin_ctzll(m);
			sp[1] = (size_t)__builtin_ctzll(m2);
			sp[2] = (size_t)__builtin_ctzll(m3);
			return;
		}
	}
#endif
	for (i = 0; i < 3; i++) {
		q = p < end ? memchr(p, ' ', (size_t)(end - p)) : NULL;
		sp[i] = q != NULL ? (size_t)(q - line) : n;
		p = q != NULL ? q + 1 : end;
	}
}

/*
 * A line of a file whose type is not known, starting with a digit, so a
 * Classic or connection log line if anything: parsed once, when that
 * proves what sniff() would say (ecs_clb_sniffed(), ecs_albconn_sniffed()),
 * without sniff()'s checks.  NULL, nothing written, when it does not.
 *
 * clb_looks_like() reads the time before the first space and an ip:port
 * between the second and third; albconn_looks_like() the time and an IP
 * between the first and second.  Those are the first three fields when
 * none of them opens with a quote.  A third field without ':' is no
 * ip:port, so not Classic; with one, a Classic parse that succeeds has
 * checked the same bytes.
 */
static char *
sniff_parse(struct ecs_file *f, const char *line, size_t n, uint64_t off,
    char *out, struct ecs_result *res)
{
	size_t sp[3];

	first_spaces(line, n, sp);
	if (sp[1] + 1 >= n || line[sp[0] + 1] == '"' || line[sp[1] + 1] == '"')
		return NULL;
	if (sp[2] < n && memchr(line + sp[1] + 1, ':', sp[2] - sp[1] - 1) != NULL) {
		res->type = LB_CLB;
		return ecs_clb_sniffed(f, line, n, off, out, res);
	}
	if (line[sp[0] + 1] == '[')
		return NULL;
	res->type = LB_ALBCONN;
	return ecs_albconn_sniffed(f, line, n, off, out, res);
}

/**
 * ecs_line(f, line, n, offset, out, res): see ecs.h.
 */
char *
ecs_line(struct ecs_file *f, const char *line, size_t n, uint64_t offset,
    char *out, struct ecs_result *res)
{
	enum lbtype t = f->opts->type;

	res->malformed = 0;
	res->error[0] = '\0';
	if (t == LB_UNKNOWN)
		t = f->name_type;
	if (t == LB_UNKNOWN && n > 0 && (unsigned char)(line[0] - '0') < 10) {
		char *end = sniff_parse(f, line, n, offset, out, res);

		if (end != NULL)
			return end;
	}
	/* "tls 2.0 " is no ALB type word and time: sniff() would say NLB
	 * after ALB's check. */
	if (t == LB_UNKNOWN)
		t = nlb_looks_like(line, n) ? LB_NLB : sniff(line, n);
	res->type = t;
	switch (t) {
	case LB_ALB:
		return ecs_alb(f, line, n, offset, out, res);
	case LB_CLB:
		return ecs_clb(f, line, n, offset, out, res);
	case LB_NLB:
		return ecs_nlb(f, line, n, offset, out, res);
	case LB_ALBCONN:
		return ecs_albconn(f, line, n, offset, out, res);
	default:
		snprintf(res->error, sizeof(res->error), "%s",
		    "not a line of any load balancer log type (ALB, Classic ELB, "
		    "NLB, ALB connection); use --type to say which");
		return error_doc(f, line, n, offset, out, res);
	}
}

/**
 * ecs_error_doc(f, line, n, offset, msg, out, res): see ecs.h.
 */
char *
ecs_error_doc(struct ecs_file *f, const char *line, size_t n, uint64_t offset,
    const char *msg, char *out, struct ecs_result *res)
{
	res->type = LB_UNKNOWN;
	snprintf(res->error, sizeof(res->error), "%s", msg);
	return error_doc(f, line, n, offset, out, res);
}
