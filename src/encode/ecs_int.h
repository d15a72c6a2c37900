/*
 * ecs_int.h: internals shared by ecs.c and the per-type encoders
 * (ecs_alb.c, ecs_clb.c, ecs_nlb.c, ecs_albconn.c).  Not for other modules.
 *
 * Writing nested JSON without a tree: a field writes a comma unless it is
 * the first in its object (the byte before is '{' or '['), and an object
 * that ended up empty is rolled back with the key that opened it.
 */
#ifndef ELBSHIP_ECS_INT_H
#define ELBSHIP_ECS_INT_H

#include "encode/ecs.h"
#include "encode/jsonw.h"
#include "parse/lbtok.h"
#include "parse/lbval.h"

struct ecs_file {
	const struct ecs_opts *opts;
	enum lbtype name_type;		/* from the file name */
	char idbase[DOCID_BASE_LEN];
	char *identity;			/* NUL-terminated */
	char *common;			/* ,"ecs":..,"cloud":..,"labels":..,"log":{"file":{"path":..},"offset": */
	size_t ncommon;
	char *aws_tail;			/* "}" or ,"s3":{..}} */
	size_t naws_tail;
	char fallback_time[32];		/* for error documents without a time */
	size_t nfallback_time;
};

static inline char *
ecs_sep(char *o)
{
	if (o[-1] != '{' && o[-1] != '[')
		*o++ = ',';
	return o;
}

/* "key": with the separating comma if needed; key is a string literal. */
#define KEY(o, key) ((o) = ecs_sep(o), (o) = JW((o), "\"" key "\":"))

/* "key": and then the literal JSON text ${rest}. */
#define KEYV(o, key, rest) (KEY(o, key), (o) = JW((o), rest))

/* Open "key":{ remembering where to roll back to if it stays empty. */
#define OPEN(o, mark, key) ((mark) = (o), KEY(o, key), *(o)++ = '{')
#define CLOSE(o, mark) ((o)[-1] == '{' ? ((o) = (mark)) : (*(o)++ = '}', (o)))

/*
 * The JSON string text of a value from the line: copied as is when the
 * parser found the line plain (its *_rec.plain), else through
 * jsonw_str().
 */
#define JSTR(o, v, pl) ((pl) ? jsonw_bytes((o), (v)) : jsonw_str((o), (v)))

/* String value (decoded), only if present; pl: the line is plain. */
#define PUT_STR(o, key, v, pl) do {                                      \
	struct slice v_ = (v);                                           \
	if (v_.p != NULL) {                                              \
		KEY(o, key);                                             \
		*(o)++ = '"';                                            \
		(o) = JSTR((o), v_, (pl));                               \
		*(o)++ = '"';                                            \
	}                                                                \
} while (0)

/* PUT_STR() where a field came before in the object: the comma known. */
#define PUT_STRC(o, key, v, pl) do {                                     \
	struct slice v_ = (v);                                           \
	if (v_.p != NULL) {                                              \
		(o) = JW((o), ",\"" key "\":\"");                          \
		(o) = JSTR((o), v_, (pl));                               \
		*(o)++ = '"';                                            \
	}                                                                \
} while (0)

/* PUT_TIME() where a field came before in the object. */
#define PUT_TIMEC(o, key, v, z) do {                                     \
	struct slice v_ = (v);                                           \
	if (v_.p != NULL) {                                              \
		(o) = JW((o), ",\"" key "\":\"");                          \
		(o) = jsonw_bytes((o), v_);                              \
		if (!(z))                                                \
			*(o)++ = 'Z';                                    \
		*(o)++ = '"';                                            \
	}                                                                \
} while (0)

/* PUT_NUMOBJ() where a field came before in the object. */
#define PUT_NUMOBJC(o, key, unit, v) do {                                \
	struct slice v_ = (v);                                           \
	if (v_.p != NULL) {                                              \
		(o) = JW((o), ",\"" key "\":{\"" unit "\":");              \
		(o) = jsonw_bytes((o), v_);                              \
		*(o)++ = '}';                                            \
	}                                                                \
} while (0)

/* Number copied from a validated slice, only if present. */
#define PUT_NUM(o, key, v) do {                                          \
	struct slice v_ = (v);                                           \
	if (v_.p != NULL) {                                              \
		KEY(o, key);                                             \
		(o) = jsonw_bytes((o), v_);                              \
	}                                                                \
} while (0)

/* Integer as a JSON string ("8080"), only if >= 0: for the integration's
 * keyword fields that hold numbers (aws.elb.backend.port,
 * aws.elb.matched_rule_priority). */
#define PUT_INT_STR(o, key, v) do {                                      \
	int64_t v_ = (v);                                                \
	if (v_ >= 0) {                                                   \
		KEY(o, key);                                             \
		*(o)++ = '"';                                            \
		(o) = jsonw_u64((o), (uint64_t)v_);                      \
		*(o)++ = '"';                                            \
	}                                                                \
} while (0)

/* Integer, only if >= 0. */
#define PUT_INT(o, key, v) do {                                          \
	int64_t v_ = (v);                                                \
	if (v_ >= 0) {                                                   \
		KEY(o, key);                                             \
		(o) = jsonw_u64((o), (uint64_t)v_);                      \
	}                                                                \
} while (0)

/* "key":{"unit":number} from a validated slice, only if present. */
#define PUT_NUMOBJ(o, key, unit, v) do {                                 \
	struct slice v_ = (v);                                           \
	if (v_.p != NULL) {                                              \
		KEYV(o, key, "{\"" unit "\":");                         \
		(o) = jsonw_bytes((o), v_);                              \
		*(o)++ = '}';                                            \
	}                                                                \
} while (0)

/* A time as a JSON string, with `Z` added when AWS left it off. */
#define PUT_TIME(o, key, v, z) do {                                      \
	struct slice v_ = (v);                                           \
	if (v_.p != NULL) {                                              \
		KEY(o, key);                                             \
		*(o)++ = '"';                                            \
		(o) = jsonw_bytes((o), v_);                              \
		if (!(z))                                                \
			*(o)++ = 'Z';                                    \
		*(o)++ = '"';                                            \
	}                                                                \
} while (0)

/*
 * Common document head: {"@timestamp":..,"event":{"id":..,"kind":"event",
 * "category":[cat],"type":[typ],"dataset":..,"module":"aws" -- the event
 * object is left open for the type's own event fields; ecs_event_end()
 * closes it and adds the per-file fields.  ${cattyp} is ECS_CATTYP(cat,
 * typ), the JSON text between the two, built at compile time (and, the
 * head being inline, copied as a constant).
 */
#define ECS_CATTYP(cat, typ) slice_make(cat "\"],\"type\":[\"" typ,    \
	sizeof(cat "\"],\"type\":[\"" typ) - 1)

static inline char *
ecs_head(struct ecs_file *f, char *o, struct slice time, int time_z,
    uint64_t offset, struct slice cattyp, struct ecs_result *res)
{
	o = JW(o, "{\"@timestamp\":\"");
	o = jsonw_bytes(o, time);
	if (!time_z)
		*o++ = 'Z';
	o = JW(o, "\",\"event\":{\"id\":\"");
	res->idlen = docid_make(f->idbase, offset, res->id);
	o = jsonw_bytes(o, slice_make(res->id, res->idlen));
	o = JW(o, "\",\"kind\":\"event\",\"category\":[\"");
	o = jsonw_bytes(o, cattyp);
	o = JW(o, "\"],\"dataset\":\"aws.elb_logs\",\"module\":\"aws\"");
	return o;
}

/* Close the event object (adding event.original if asked) and add the
 * per-file fields and log.offset (the digits of res->id that ecs_head()
 * wrote). */
static inline char *
ecs_event_end(struct ecs_file *f, char *o, const char *line, size_t n,
    const struct ecs_result *res)
{
	if (f->opts->event_original) {
		o = JW(o, ",\"original\":\"");
		o = jsonw_raw_str(o, slice_make(line, n));
		*o++ = '"';
	}
	*o++ = '}';
	o = jsonw_bytes(o, slice_make(f->common, f->ncommon));
	/* The offset in decimal: the id's digits after "base-". */
	o = jsonw_bytes(o, slice_make(res->id + DOCID_BASE_LEN + 1,
	    res->idlen - DOCID_BASE_LEN - 1));
	*o++ = '}';
	return o;
}

/* Write "url":{..} for a request URL (url.extension from the path's last
 * segment), "http":{..} parts are the caller's.  ${end}: the end of the
 * line ${url} is in (what may be read: lbval_url_in()). */
char *ecs_url(char *o, struct slice url, const char *end, int plain);

/* Write "tls":{"cipher","version","version_protocol"} pieces. */
char *ecs_tls(char *o, struct slice cipher, struct slice protocol,
    int plain);

/* Write "source":{"address","ip","port"}. */
char *ecs_source(char *o, struct slice ip, uint32_t port, int plain);

/* Write "client":{"ip","port"} (the ALB connection log, as Elastic has it). */
char *ecs_client(char *o, struct slice ip, int64_t port, int plain);

/*
 * Write "key":[..] for a list of quoted, comma-separated values as NLB's
 * alpn_client_preference_list logs them ("h2","http/1.1"): the quotes,
 * plain or backslash-escaped, are taken off each element; nothing if
 * absent or if no element is left.  ${lend}: the end of the line the
 * list is in (what may be read).
 */
char *ecs_quoted_list(char *o, const char *key, size_t nkey,
    struct slice list, const char *lend);

/*
 * aws.elb.backend.* (ip, port, http.response.status_code; nothing if all
 * absent) and the three processing times in seconds, as ALB and Classic
 * ELB log them.
 */
char *ecs_backend(char *o, struct slice ip, uint32_t port, int64_t status,
    int plain);
char *ecs_times(char *o, struct slice request, struct slice backend,
    struct slice response);

/* Write "key":[..] splitting ${list} at ${sep}; nothing if absent.  The
 * helpers' ${plain}: the values come from a plain line (JSTR). */
char *ecs_list(char *o, const char *key, size_t nkey, struct slice list,
    char sep, int plain);

/* Write "aws.elb.extra_fields":[..] for unsplit trailing fields. */
char *ecs_extra(char *o, struct slice extra);

/* The per-type bodies: write everything after the head and close "}". */
char *ecs_alb(struct ecs_file *f, const char *line, size_t n, uint64_t off,
    char *o, struct ecs_result *res);
char *ecs_clb(struct ecs_file *f, const char *line, size_t n, uint64_t off,
    char *o, struct ecs_result *res);
char *ecs_nlb(struct ecs_file *f, const char *line, size_t n, uint64_t off,
    char *o, struct ecs_result *res);
char *ecs_albconn(struct ecs_file *f, const char *line, size_t n,
    uint64_t off, char *o, struct ecs_result *res);

/*
 * For a line of a file whose type is not known, that starts with a digit
 * and whose first three fields are not quoted (ecs.c checks): the
 * document when the line parses, and the parse alone proves that sniffing
 * would have called it Classic (ecs_clb_sniffed: the caller saw a ':' in
 * its third field) or a connection log (ecs_albconn_sniffed: the caller
 * saw that the third field has no ':' and the second no '['), sparing the
 * shape checks their second look at its time and addresses.  NULL, with
 * nothing written, when not: sniffing decides then.
 */
char *ecs_clb_sniffed(struct ecs_file *f, const char *line, size_t n,
    uint64_t off, char *o, struct ecs_result *res);
char *ecs_albconn_sniffed(struct ecs_file *f, const char *line, size_t n,
    uint64_t off, char *o, struct ecs_result *res);

/* Write the error document for a line the parser of ${type} rejected
 * (error.message starts with lbtype_title(type)). */
char *ecs_parse_error(struct ecs_file *f, const char *line, size_t n,
    uint64_t off, enum lbtype type, const struct lb_err *err, char *o,
    struct ecs_result *res);

#endif
