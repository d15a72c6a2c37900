/*
 * test_estemplate.c: what `elbship setup` installs (estemplate.h).
 *
 * - The resources, their order and paths, per flavour; retention; the
 *   OpenSearch adaptation (no wildcard, match_only_text, ILM).
 * - The hash: deterministic, equal to SHA-256 of the body without it (keys
 *   sorted, compact), and sensitive to every change.
 * - The dated set (--es-index with {date} or {month}): its names and
 *   order, no data_stream, its own pattern, no rollover anywhere, the
 *   delete phase or no policy at all, the shared mappings, its hashes; and
 *   which patterns estemplate_dated_check() refuses.
 * - Reading a cluster's GET answers (hash found or not) and GET / (flavour,
 *   minimum versions).
 * - No dynamic mapping: documents written by the ECS encoder for every log
 *   type, with everything present that elbship can write (all optional ALB
 *   and NLB fields, fields past the known ones, S3 origin, labels,
 *   event.original, an error document), have an explicit mapping for every
 *   field, in both flavours.  tests/setup/run.sh does the same for the
 *   documents `elbship ship` writes from examples/ and checks the types
 *   against docs/fields.md.
 * - The integration's types: every field of Elastic's AWS integration
 *   (tests/fidelity/integration-fields.tsv, from its fields YAML files) has the
 *   integration's type in the mapping setup installs.
 * - Enrichment: the ingest pipeline, its place in the order, the settings'
 *   default_pipeline; none on OpenSearch or without opts.enrich.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/sha.h>

#include "encode/ecs.h"
#include "sink/estemplate.h"
#include "tap.h"

static json_t *
body_of(const struct estemplate_set *s, const char *path)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->res[i].path, path) == 0)
			return json_loads(s->res[i].body, 0, NULL);
	return NULL;
}

static const struct estemplate_res *
res_of(const struct estemplate_set *s, const char *path)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->res[i].path, path) == 0)
			return &s->res[i];
	return NULL;
}

static struct estemplate_set
build_glob(int flavor, unsigned days, const char *glob)
{
	struct estemplate_opts o = { .flavor = flavor, .retention_days = days,
	    .dated_glob = glob };
	struct estemplate_set s;
	char err[256];

	if (estemplate_build(&o, &s, err, sizeof(err)) != 0) {
		printf("# %s\n", err);
		abort();
	}
	return s;
}

static struct estemplate_set
build(int flavor, unsigned days)
{
	return build_glob(flavor, days, NULL);
}

static void
test_resources(void)
{
	struct estemplate_set es = build(ESTEMPLATE_ELASTICSEARCH, 90);
	struct estemplate_set os = build(ESTEMPLATE_OPENSEARCH, 90);
	json_t *it;

	is_int(es.n, 4, "Elasticsearch: 4 resources");
	is_str(es.res[0].path, "_ilm/policy/elbship", "ILM policy first");
	is_str(es.res[1].path, "_component_template/elbship-settings",
	    "then elbship-settings");
	is_str(es.res[2].path, "_component_template/elbship-mappings",
	    "then elbship-mappings");
	is_str(es.res[3].path, "_index_template/elbship",
	    "index template last (its component templates must exist)");
	is_int(os.n, 3, "OpenSearch: 3 resources (no ILM)");
	is_str(os.res[0].path, "_component_template/elbship-settings",
	    "OpenSearch starts with elbship-settings");

	it = body_of(&es, "_index_template/elbship");
	is_str(json_string_value(json_array_get(json_object_get(it,
	    "index_patterns"), 0)), ESTEMPLATE_PATTERN, "pattern logs-elb.*-*");
	ok(json_is_object(json_object_get(it, "data_stream")),
	    "index template makes data streams");
	ok(json_integer_value(json_object_get(it, "priority")) > 100,
	    "priority above the built-in logs-*-* (100)");
	is_str(json_string_value(json_array_get(json_object_get(it,
	    "composed_of"), 0)), "elbship-settings", "composed of settings");
	is_str(json_string_value(json_array_get(json_object_get(it,
	    "composed_of"), 1)), "elbship-mappings", "and mappings");
	json_decref(it);
	estemplate_free(&es);
	estemplate_free(&os);
	is_int(es.n, 0, "estemplate_free empties the set");
	estemplate_free(&es);
	ok(1, "estemplate_free twice is harmless");
}

static void
test_ilm(void)
{
	struct estemplate_set s = build(ESTEMPLATE_ELASTICSEARCH, 30);
	struct estemplate_set z = build(ESTEMPLATE_ELASTICSEARCH, 0);
	struct estemplate_opts bad = { .flavor = ESTEMPLATE_ELASTICSEARCH,
	    .retention_days = ESTEMPLATE_MAX_RETENTION + 1 };
	struct estemplate_set b;
	json_t *p = body_of(&s, "_ilm/policy/elbship");
	json_t *ph = json_object_get(json_object_get(p, "policy"), "phases");
	json_t *ro = json_object_get(json_object_get(json_object_get(ph, "hot"),
	    "actions"), "rollover");
	char err[256];

	is_str(json_string_value(json_object_get(ro, "max_primary_shard_size")),
	    "50gb", "rollover at 50gb per primary shard");
	is_str(json_string_value(json_object_get(ro, "max_age")), "30d",
	    "or 30 days");
	is_str(json_string_value(json_object_get(json_object_get(ph, "delete"),
	    "min_age")), "30d", "delete after --retention-days 30");
	json_decref(p);
	p = body_of(&z, "_ilm/policy/elbship");
	ph = json_object_get(json_object_get(p, "policy"), "phases");
	ok(json_object_get(ph, "delete") == NULL && json_object_get(ph, "hot"),
	    "retention 0: hot phase only, never deleted");
	json_decref(p);
	ok(estemplate_build(&bad, &b, err, sizeof(err)) == -1,
	    "retention over %d days refused", ESTEMPLATE_MAX_RETENTION);
	is_int(b.n, 0, "nothing left allocated after a refusal");
	estemplate_free(&s);
	estemplate_free(&z);
}

static void
test_opensearch(void)
{
	struct estemplate_set os = build(ESTEMPLATE_OPENSEARCH, 90);
	struct estemplate_set es = build(ESTEMPLATE_ELASTICSEARCH, 90);
	const struct estemplate_res *m = res_of(&os,
	    "_component_template/elbship-mappings");
	const struct estemplate_res *st = res_of(&os,
	    "_component_template/elbship-settings");
	json_t *b = body_of(&os, "_component_template/elbship-mappings");
	json_t *url = json_object_get(json_object_get(json_object_get(
	    json_object_get(json_object_get(b, "template"), "mappings"),
	    "properties"), "url"), "properties");
	json_t *orig = json_object_get(url, "original");

	ok(strstr(m->body, "wildcard") == NULL, "OpenSearch: no wildcard");
	ok(strstr(m->body, "match_only_text") == NULL,
	    "OpenSearch: no match_only_text");
	ok(strstr(st->body, "lifecycle") == NULL,
	    "OpenSearch: no ILM setting");
	is_str(json_string_value(json_object_get(orig, "type")), "keyword",
	    "OpenSearch url.original is keyword");
	is_str(json_string_value(json_object_get(json_object_get(json_object_get(
	    orig, "fields"), "text"), "type")), "text",
	    "with a text multi-field");
	is_str(json_string_value(json_object_get(json_object_get(json_object_get(
	    json_object_get(url, "path"), "fields"), "text"), "type")), "text",
	    "OpenSearch url.path: keyword + text");
	ok(strstr(res_of(&es, "_component_template/elbship-mappings")->body,
	    "\"wildcard\"") != NULL, "Elasticsearch keeps wildcard");
	ok(strstr(res_of(&es, "_component_template/elbship-settings")->body,
	    "\"lifecycle\":{\"name\":\"elbship\"}") != NULL,
	    "Elasticsearch settings name the ILM policy");
	json_decref(b);
	estemplate_free(&os);
	estemplate_free(&es);
}

/* SHA-256 of ${body} without _meta.elbship_hash, keys sorted, compact. */
static void
rehash(const struct estemplate_res *r, char *out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[SHA256_DIGEST_LENGTH];
	json_t *b = json_loads(r->body, 0, NULL);
	json_t *holder = r->kind == ESTEMPLATE_ILM ?
	    json_object_get(b, "policy") : b;
	char *c;
	int i;

	json_object_del(json_object_get(holder, "_meta"), "elbship_hash");
	c = json_dumps(b, JSON_COMPACT | JSON_SORT_KEYS);
	SHA256((const unsigned char *)c, strlen(c), md);
	for (i = 0; i < ESTEMPLATE_HASH_LEN / 2; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[ESTEMPLATE_HASH_LEN] = '\0';
	free(c);
	json_decref(b);
}

static void
test_hash(void)
{
	struct estemplate_set a = build(ESTEMPLATE_ELASTICSEARCH, 90);
	struct estemplate_set b = build(ESTEMPLATE_ELASTICSEARCH, 90);
	struct estemplate_set c = build(ESTEMPLATE_ELASTICSEARCH, 91);
	struct estemplate_set o = build(ESTEMPLATE_OPENSEARCH, 90);
	char h[ESTEMPLATE_HASH_LEN + 1];
	size_t i;
	int same = 1, canon = 1, inbody = 1;

	for (i = 0; i < a.n; i++) {
		char needle[64];

		same &= strcmp(a.res[i].hash, b.res[i].hash) == 0 &&
		    strcmp(a.res[i].body, b.res[i].body) == 0;
		rehash(&a.res[i], h);
		canon &= strcmp(h, a.res[i].hash) == 0;
		snprintf(needle, sizeof(needle), "\"elbship_hash\":\"%s\"",
		    a.res[i].hash);
		inbody &= strstr(a.res[i].body, needle) != NULL;
	}
	ok(same, "same options, same bodies and hashes");
	ok(canon, "hash = SHA-256 of the body without it, keys sorted");
	ok(inbody, "each body carries its hash in _meta.elbship_hash");
	ok(strlen(a.res[0].hash) == ESTEMPLATE_HASH_LEN &&
	    strspn(a.res[0].hash, "0123456789abcdef") == ESTEMPLATE_HASH_LEN,
	    "hash is %d lowercase hex digits", ESTEMPLATE_HASH_LEN);
	ok(strcmp(a.res[0].hash, c.res[0].hash) != 0,
	    "another retention changes the ILM policy's hash");
	ok(strcmp(a.res[1].hash, c.res[1].hash) == 0 &&
	    strcmp(a.res[2].hash, c.res[2].hash) == 0 &&
	    strcmp(a.res[3].hash, c.res[3].hash) == 0,
	    "and nothing else's");
	ok(strcmp(a.res[2].hash, o.res[1].hash) != 0,
	    "OpenSearch mappings hash differently");
	estemplate_free(&a);
	estemplate_free(&b);
	estemplate_free(&c);
	estemplate_free(&o);
}

/* ---- dated indices ---------------------------------------------------- */

/* template.settings.index of a component template's body. */
static json_t *
index_settings(json_t *body)
{
	return json_object_get(json_object_get(json_object_get(body,
	    "template"), "settings"), "index");
}

/* 1 if no body of ${s} says "rollover". */
static int
no_rollover(const struct estemplate_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strstr(s->res[i].body, "rollover") != NULL)
			return 0;
	return 1;
}

static void
test_dated(void)
{
	struct estemplate_set d = build_glob(ESTEMPLATE_ELASTICSEARCH, 90,
	    "elb-*-*");
	struct estemplate_set ds = build(ESTEMPLATE_ELASTICSEARCH, 90);
	json_t *it = body_of(&d, "_index_template/elbship-dated");
	json_t *p = body_of(&d, "_ilm/policy/elbship-dated");
	json_t *st = body_of(&d, "_component_template/elbship-dated-settings");
	json_t *dsst = body_of(&ds, "_component_template/elbship-settings");
	json_t *ph = json_object_get(json_object_get(p, "policy"), "phases");
	json_t *pats = json_object_get(it, "index_patterns");
	json_t *a, *b;

	is_int(d.n, 4, "dated, Elasticsearch: 4 resources");
	is_str(d.res[0].path, "_ilm/policy/elbship-dated",
	    "ILM policy elbship-dated first");
	is_str(d.res[1].path, "_component_template/elbship-dated-settings",
	    "then elbship-dated-settings");
	is_str(d.res[2].path, "_component_template/elbship-mappings",
	    "then the shared elbship-mappings");
	is_str(d.res[3].path, "_index_template/elbship-dated",
	    "index template elbship-dated last");
	is_str(d.res[3].name, ESTEMPLATE_DATED_NAME, "its name");
	ok(d.res[0].kind == ESTEMPLATE_ILM && d.res[1].kind ==
	    ESTEMPLATE_COMPONENT && d.res[3].kind == ESTEMPLATE_INDEX,
	    "kinds as in the data stream set");

	ok(it != NULL && json_object_get(it, "data_stream") == NULL,
	    "dated index template: no data_stream (plain indices)");
	ok(json_array_size(pats) == 1 && json_is_string(json_array_get(pats,
	    0)) && strcmp(json_string_value(json_array_get(pats, 0)),
	    "elb-*-*") == 0, "index_patterns is [the glob]");
	is_int(json_integer_value(json_object_get(it, "priority")), 200,
	    "priority 200");
	is_str(json_string_value(json_array_get(json_object_get(it,
	    "composed_of"), 0)), ESTEMPLATE_DATED_SETTINGS,
	    "composed of elbship-dated-settings");
	is_str(json_string_value(json_array_get(json_object_get(it,
	    "composed_of"), 1)), "elbship-mappings", "and elbship-mappings");
	is_int(json_array_size(json_object_get(it, "composed_of")), 2,
	    "and nothing else");
	is_str(json_string_value(json_object_get(json_object_get(it, "_meta"),
	    "managed_by")), "elbship", "_meta.managed_by elbship");
	ok(strstr(json_string_value(json_object_get(json_object_get(it,
	    "_meta"), "description")), "elb-*-*") != NULL,
	    "_meta.description names the pattern");

	ok(no_rollover(&d), "no rollover anywhere in the dated set");
	is_int(json_object_size(ph), 1, "ILM: one phase");
	is_str(json_string_value(json_object_get(json_object_get(ph, "delete"),
	    "min_age")), "90d", "delete phase at the retention (90d)");
	ok(json_is_object(json_object_get(json_object_get(json_object_get(ph,
	    "delete"), "actions"), "delete")), "whose action is delete");
	is_int(json_integer_value(json_object_get(json_object_get(
	    json_object_get(p, "policy"), "_meta"), "retention_days")), 90,
	    "_meta.retention_days 90");

	is_str(json_string_value(json_object_get(json_object_get(
	    index_settings(st), "lifecycle"), "name")), ESTEMPLATE_DATED_NAME,
	    "settings name the ILM policy elbship-dated");
	a = json_deep_copy(index_settings(st));
	b = json_deep_copy(index_settings(dsst));
	json_object_del(a, "lifecycle");
	json_object_del(b, "lifecycle");
	ok(a != NULL && json_equal(a, b),
	    "otherwise the same settings as elbship-settings");
	json_decref(a);
	json_decref(b);

	ok(strcmp(d.res[2].body, ds.res[2].body) == 0 &&
	    strcmp(d.res[2].hash, ds.res[2].hash) == 0,
	    "elbship-mappings: the same body and hash as for data streams");
	ok(strcmp(d.res[0].hash, ds.res[0].hash) != 0 &&
	    strcmp(d.res[1].hash, ds.res[1].hash) != 0 &&
	    strcmp(d.res[3].hash, ds.res[3].hash) != 0,
	    "policy, settings and index template hash differently from the "
	    "data stream set's");
	json_decref(it);
	json_decref(p);
	json_decref(st);
	json_decref(dsst);
	estemplate_free(&d);
	estemplate_free(&ds);
}

static void
test_dated_retention(void)
{
	struct estemplate_set z = build_glob(ESTEMPLATE_ELASTICSEARCH, 0,
	    "elb-*-*");
	struct estemplate_set w = build_glob(ESTEMPLATE_ELASTICSEARCH, 7,
	    "elb-*-*");
	struct estemplate_set o = build_glob(ESTEMPLATE_OPENSEARCH, 90,
	    "elb-*-*");
	struct estemplate_set dso = build(ESTEMPLATE_OPENSEARCH, 90);
	const struct estemplate_res *om = res_of(&o,
	    "_component_template/elbship-mappings");
	json_t *st = body_of(&z, "_component_template/elbship-dated-settings");
	json_t *p = body_of(&w, "_ilm/policy/elbship-dated");

	is_int(z.n, 3, "dated, retention 0: 3 resources");
	ok(res_of(&z, "_ilm/policy/elbship-dated") == NULL &&
	    res_of(&z, "_ilm/policy/elbship") == NULL,
	    "retention 0: no ILM policy at all");
	is_str(z.res[0].path, "_component_template/elbship-dated-settings",
	    "retention 0: settings first");
	ok(st != NULL && json_object_get(index_settings(st), "lifecycle") ==
	    NULL && strstr(z.res[0].body, "lifecycle") == NULL,
	    "retention 0: no index.lifecycle in the settings");
	ok(json_is_object(index_settings(st)) && strcmp(json_string_value(
	    json_object_get(index_settings(st), "codec")), "best_compression")
	    == 0, "retention 0: the other settings stay");
	ok(no_rollover(&z), "retention 0: no rollover anywhere");
	is_str(json_string_value(json_object_get(json_object_get(json_object_get(
	    json_object_get(p, "policy"), "phases"), "delete"), "min_age")), "7d",
	    "retention 7: delete at 7d");

	is_int(o.n, 3, "dated, OpenSearch: 3 resources (no ILM)");
	is_str(o.res[0].path, "_component_template/elbship-dated-settings",
	    "OpenSearch: elbship-dated-settings first");
	is_str(o.res[2].path, "_index_template/elbship-dated",
	    "OpenSearch: index template elbship-dated last");
	ok(strstr(o.res[0].body, "lifecycle") == NULL,
	    "OpenSearch: no lifecycle setting");
	ok(om != NULL && strstr(om->body, "wildcard") == NULL &&
	    strcmp(om->body, dso.res[1].body) == 0,
	    "OpenSearch: the mappings of the OpenSearch data stream set");
	ok(strstr(o.res[2].body, "data_stream") == NULL,
	    "OpenSearch: no data_stream either");
	ok(strcmp(z.res[0].hash, o.res[0].hash) == 0,
	    "Elasticsearch without retention and OpenSearch: the same settings");
	json_decref(st);
	json_decref(p);
	estemplate_free(&z);
	estemplate_free(&w);
	estemplate_free(&o);
	estemplate_free(&dso);
}

static int
installed(const struct estemplate_res *r, const char *answer, char *out)
{
	return estemplate_installed_hash(r, answer, strlen(answer), out,
	    ESTEMPLATE_HASH_LEN + 8);
}

static void
test_dated_hash(void)
{
	struct estemplate_set a = build_glob(ESTEMPLATE_ELASTICSEARCH, 90,
	    "elb-*-*");
	struct estemplate_set b = build_glob(ESTEMPLATE_ELASTICSEARCH, 90,
	    "elb-*-*");
	struct estemplate_set c = build_glob(ESTEMPLATE_ELASTICSEARCH, 30,
	    "elb-*-*");
	struct estemplate_set g = build_glob(ESTEMPLATE_ELASTICSEARCH, 90,
	    "elb-*");
	char h[ESTEMPLATE_HASH_LEN + 8];
	size_t i;
	int same = 1, canon = 1;

	for (i = 0; i < a.n; i++) {
		same &= strcmp(a.res[i].hash, b.res[i].hash) == 0 &&
		    strcmp(a.res[i].body, b.res[i].body) == 0;
		rehash(&a.res[i], h);
		canon &= strcmp(h, a.res[i].hash) == 0;
	}
	ok(same, "dated: same options, same bodies and hashes");
	ok(canon, "dated: hash = SHA-256 of the body without it");
	ok(strcmp(a.res[0].hash, c.res[0].hash) != 0 &&
	    strcmp(a.res[1].hash, c.res[1].hash) == 0 &&
	    strcmp(a.res[3].hash, c.res[3].hash) == 0,
	    "dated: another retention changes the policy's hash only");
	ok(strcmp(a.res[3].hash, g.res[3].hash) != 0 &&
	    strcmp(a.res[0].hash, g.res[0].hash) == 0 &&
	    strcmp(a.res[1].hash, g.res[1].hash) == 0,
	    "dated: another pattern changes the index template's hash only");
	ok(installed(&a.res[0], "{\"elbship-dated\":{\"policy\":{\"_meta\":"
	    "{\"elbship_hash\":\"d1\"}}}}", h) == 0 && strcmp(h, "d1") == 0,
	    "dated: policy hash found under elbship-dated");
	ok(installed(&a.res[0], "{\"elbship\":{\"policy\":{\"_meta\":"
	    "{\"elbship_hash\":\"d1\"}}}}", h) == -1,
	    "dated: the data stream policy's hash is not the dated one's");
	ok(installed(&a.res[3], "{\"index_templates\":[{\"name\":\"elbship\","
	    "\"index_template\":{\"_meta\":{\"elbship_hash\":\"x\"}}}]}", h) ==
	    -1, "dated: the index template elbship is not elbship-dated");
	estemplate_free(&a);
	estemplate_free(&b);
	estemplate_free(&c);
	estemplate_free(&g);
}

static int
dated_ok(const char *glob)
{
	char err[512];

	return estemplate_dated_check(glob, err, sizeof(err)) == 0;
}

static void
test_dated_check(void)
{
	struct estemplate_opts o = { .flavor = ESTEMPLATE_ELASTICSEARCH,
	    .retention_days = 90, .dated_glob = "logs-elb.*-*" };
	struct estemplate_set s;
	char err[512];

	ok(dated_ok("elb-*-*"), "elb-*-* accepted");
	ok(dated_ok("elb-*"), "elb-* accepted");
	ok(dated_ok("elb-alb-*"), "elb-alb-* accepted");
	ok(dated_ok("logsx-*-*"), "logsx-*-* accepted (cannot be logs-...)");
	ok(dated_ok("my.logs-*-*"), "my.logs-*-* accepted");
	ok(estemplate_dated_check("logs-elb.*-*", err, sizeof(err)) == -1,
	    "logs-elb.*-* refused");
	ok(strstr(err, "logs-*-*") != NULL && strstr(err, "data stream") != NULL &&
	    strstr(err, "elb-{type}-{date}") != NULL &&
	    strstr(err, ESTEMPLATE_PATTERN " template") != NULL,
	    "saying why (data streams, logs-elb.*-*) and what to use instead");
	ok(!dated_ok("logs-*-*"), "logs-*-* refused");
	ok(estemplate_dated_check("logs-x-*", err, sizeof(err)) == -1 &&
	    strstr(err, ESTEMPLATE_PATTERN " template") == NULL,
	    "logs-x-* refused, without blaming logs-elb.*-*");
	ok(!dated_ok("logs*"), "logs* refused (overlaps logs-*-*)");
	ok(!dated_ok("metrics-*-*"), "metrics-*-* refused");
	ok(!dated_ok("traces-elb-*"), "traces-elb-* refused");
	ok(!dated_ok("synthetics-*"), "synthetics-* refused");
	ok(estemplate_dated_check("*-*", err, sizeof(err)) == -1 &&
	    strstr(err, "fixed text") != NULL,
	    "*-* refused: a name must not start with a placeholder");
	ok(!dated_ok("*"), "* refused");
	ok(!dated_ok(""), "empty refused");
	ok(!dated_ok(NULL), "NULL refused");
	ok(estemplate_build(&o, &s, err, sizeof(err)) == -1 &&
	    strstr(err, "logs-*-*") != NULL,
	    "estemplate_build refuses a refused glob too");
	is_int(s.n, 0, "and leaves nothing allocated");
}

static int
hash_from(const struct estemplate_res *r, const char *answer, char *out)
{
	return estemplate_installed_hash(r, answer, strlen(answer), out,
	    ESTEMPLATE_HASH_LEN + 8);
}

static void
test_installed(void)
{
	struct estemplate_set s = build(ESTEMPLATE_ELASTICSEARCH, 90);
	const struct estemplate_res *ilm = &s.res[0], *ct = &s.res[2],
	    *it = &s.res[3];
	char h[ESTEMPLATE_HASH_LEN + 8];

	/* Answers shaped as Elasticsearch 8 gives them. */
	ok(hash_from(ct, "{\"component_templates\":[{\"name\":\"other\","
	    "\"component_template\":{\"_meta\":{\"elbship_hash\":\"x\"}}},"
	    "{\"name\":\"elbship-mappings\",\"component_template\":{\"template\":"
	    "{},\"version\":1,\"_meta\":{\"elbship_hash\":\"0123456789abcdef\"}}}]}",
	    h) == 0, "component template: hash found by name");
	is_str(h, "0123456789abcdef", "component template: the right one");
	ok(hash_from(it, "{\"index_templates\":[{\"name\":\"elbship\","
	    "\"index_template\":{\"index_patterns\":[\"logs-elb.*-*\"],"
	    "\"_meta\":{\"managed_by\":\"elbship\",\"elbship_hash\":\"abc\"}}}]}",
	    h) == 0, "index template: hash found");
	is_str(h, "abc", "index template: its value");
	ok(hash_from(ilm, "{\"elbship\":{\"version\":3,\"modified_date\":"
	    "\"2025-11-03T10:00:00.000Z\",\"policy\":{\"phases\":{},\"_meta\":"
	    "{\"elbship_hash\":\"def\"}},\"in_use_by\":{\"indices\":[]}}}", h) == 0,
	    "ILM policy: hash found under NAME.policy._meta");
	is_str(h, "def", "ILM policy: its value");
	ok(hash_from(ct, "{\"component_templates\":[{\"name\":\"elbship-mappings\","
	    "\"component_template\":{\"template\":{}}}]}", h) == -1,
	    "no _meta (made by hand): no hash, so it is overwritten");
	ok(hash_from(it, "{\"index_templates\":[]}", h) == -1,
	    "empty list: no hash");
	ok(hash_from(ilm, "{\"other\":{\"policy\":{\"_meta\":{\"elbship_hash\":"
	    "\"x\"}}}}", h) == -1, "another policy's hash is not ours");
	ok(hash_from(ct, "<html>proxy error</html>", h) == -1,
	    "not JSON: no hash");
	ok(hash_from(ct, "{\"component_templates\":[{\"name\":\"elbship-mappings\","
	    "\"component_template\":{\"_meta\":{\"elbship_hash\":7}}}]}", h) == -1,
	    "a hash that is not a string is none");
	estemplate_free(&s);
}

static int
detect(const char *answer, int *flavor, char *version, char *err)
{
	return estemplate_detect(answer, strlen(answer), flavor, version, 64,
	    err, 256);
}

static void
test_detect(void)
{
	char v[64], err[256];
	int f = -1;

	ok(detect("{\"name\":\"n\",\"cluster_name\":\"c\",\"version\":{\"number\":"
	    "\"8.15.0\",\"build_flavor\":\"default\"},\"tagline\":\"You Know, for "
	    "Search\"}", &f, v, err) == 0 && f == ESTEMPLATE_ELASTICSEARCH,
	    "Elasticsearch 8.15.0 detected");
	is_str(v, "8.15.0", "its version");
	ok(detect("{\"version\":{\"distribution\":\"opensearch\",\"number\":"
	    "\"2.11.0\"},\"tagline\":\"The OpenSearch Project\"}", &f, v, err) ==
	    0 && f == ESTEMPLATE_OPENSEARCH, "OpenSearch 2.11.0 detected");
	ok(detect("{\"version\":{\"distribution\":\"opensearch\",\"number\":"
	    "\"1.3.0\"}}", &f, v, err) == 0 && f == ESTEMPLATE_OPENSEARCH,
	    "OpenSearch 1.3 accepted");
	ok(detect("{\"version\":{\"number\":\"7.17.9\"}}", &f, v, err) == 0,
	    "Elasticsearch 7.17 accepted");
	ok(detect("{\"version\":{\"number\":\"7.10.2\"}}", &f, v, err) == -1 &&
	    strstr(err, "7.14") != NULL,
	    "Elasticsearch 7.10 refused, naming 7.14");
	ok(detect("{\"version\":{\"number\":\"6.8.0\"}}", &f, v, err) == -1,
	    "Elasticsearch 6 refused");
	ok(detect("{\"version\":{\"number\":\"10.0.0\"}}", &f, v, err) == 0,
	    "Elasticsearch 10 accepted");
	ok(detect("{\"ok\":true}", &f, v, err) == -1, "no version: refused");
	ok(detect("<html></html>", &f, v, err) == -1, "not JSON: refused");
	ok(detect("{\"version\":{\"number\":\"x\"}}", &f, v, err) == -1,
	    "version not a number: refused");
}

static void
test_matches(void)
{
	ok(estemplate_matches("logs-elb.alb-default"), "logs-elb.alb-default");
	ok(estemplate_matches("logs-elb.albconn-prod"), "logs-elb.albconn-prod");
	ok(estemplate_matches("logs-elb.unknown-default"),
	    "logs-elb.unknown-default");
	ok(!estemplate_matches("elb-alb"), "elb-alb does not match");
	ok(!estemplate_matches("logs-aws.elb_logs-default"),
	    "Elastic's integration's data stream does not match");
}

/* ---- the integration's types ---------------------------------------------- */

static const char *mapped_type(json_t *m, const char *path);
static json_t *mapped_node(json_t *m, const char *path);

/*
 * Fields of the integration that elbship's mapping leaves out, with why.
 * Anything else in the fixture must be mapped, with the integration's type.
 */
static const char *const not_mapped[] = {
	"http.request.referrer",	/* no ELB log has a referrer */
	NULL
};

static void
test_integration_types(void)
{
	struct estemplate_opts o = { .flavor = ESTEMPLATE_ELASTICSEARCH,
	    .retention_days = 90, .enrich = 1 };
	struct estemplate_set s;
	char err[256], line[512];
	FILE *f = fopen("tests/fidelity/integration-fields.tsv", "r");
	json_t *b, *m;
	int n = 0, bad = 0;

	if (f == NULL) {
		ok(0, "tests/fidelity/integration-fields.tsv: run from the "
		    "repository root");
		return;
	}
	if (estemplate_build(&o, &s, err, sizeof(err)) != 0)
		abort();
	b = body_of(&s, "_component_template/elbship-mappings");
	m = json_object_get(json_object_get(b, "template"), "mappings");
	while (fgets(line, sizeof(line), f) != NULL) {
		char *name, *type, *value, *save = NULL;
		const char *have;
		const char *const *x;
		int skip = 0;

		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		name = strtok_r(line, "\t", &save);
		type = strtok_r(NULL, "\t", &save);
		value = strtok_r(NULL, "\t", &save);
		if (name == NULL || type == NULL) {
			ok(0, "fixture line without a type: %s", line);
			continue;
		}
		n++;
		for (x = not_mapped; *x != NULL; x++)
			skip |= strcmp(*x, name) == 0;
		have = mapped_type(m, name);
		if (skip) {
			ok(have == NULL, "%s: not mapped, as not_mapped[] says",
			    name);
			continue;
		}
		if (have == NULL || strcmp(have, type) != 0) {
			bad++;
			printf("# %s: the integration maps it as %s, setup as "
			    "%s\n", name, type, have ? have : "(nothing)");
		}
		if (value != NULL) {
			const char *v = json_string_value(json_object_get(
			    mapped_node(m, name), "value"));

			if (v == NULL || strcmp(v, value) != 0) {
				bad++;
				printf("# %s: the integration's constant is %s, "
				    "setup's %s\n", name, value, v ? v : "none");
			}
		}
	}
	fclose(f);
	ok(n > 70, "%d fields of the integration read", n);
	is_int(bad, 0, "every field shared with Elastic's integration has its "
	    "type (and constant value) in the mapping setup installs");
	is_str(json_string_value(json_object_get(mapped_node(m,
	    "data_stream.dataset"), "value")), "aws.elb_logs",
	    "data_stream.dataset is the constant aws.elb_logs (the dashboards' "
	    "filter)");
	is_str(json_string_value(json_object_get(mapped_node(m,
	    "data_stream.type"), "value")), "logs", "data_stream.type is logs");
	ok(json_object_get(mapped_node(m, "data_stream.namespace"), "value") ==
	    NULL, "data_stream.namespace has no value (one template, every "
	    "namespace)");
	json_decref(b);
	estemplate_free(&s);
}

/* ---- enrichment ------------------------------------------------------------ */

static void
test_enrich(void)
{
	struct estemplate_opts o = { .flavor = ESTEMPLATE_ELASTICSEARCH,
	    .retention_days = 90, .enrich = 1,
	    .dead_letter_index = "elbship-dead-letter" };
	struct estemplate_set s, d, os, off;
	const struct estemplate_res *p;
	char err[256], have[64], answer[4096];
	json_t *b, *procs, *st, *e;
	size_t i;
	int geo = 0, asn = 0, ua = 0, ignore = 0;

	ok(estemplate_build(&o, &s, err, sizeof(err)) == 0 && s.n == 6,
	    "enrich: six resources (pipeline added)");
	is_str(s.res[1].path, "_ingest/pipeline/" ESTEMPLATE_PIPELINE_NAME,
	    "the pipeline right after the ILM policy, before the settings "
	    "that name it");
	p = &s.res[1];
	is_int(p->kind, ESTEMPLATE_PIPELINE, "kind: pipeline");
	b = body_of(&s, p->path);
	procs = json_object_get(b, "processors");
	json_array_foreach(procs, i, e) {
		json_t *g = json_object_get(e, "geoip");
		json_t *u = json_object_get(e, "user_agent");
		json_t *any = g ? g : u;

		if (g && strcmp(json_string_value(json_object_get(g,
		    "target_field")), "source.geo") == 0 &&
		    strcmp(json_string_value(json_object_get(g, "field")),
		    "source.ip") == 0)
			geo++;
		if (g && json_object_get(g, "database_file") &&
		    strcmp(json_string_value(json_object_get(g,
		    "target_field")), "source.as") == 0)
			asn++;
		if (u && strcmp(json_string_value(json_object_get(u, "field")),
		    "user_agent.original") == 0)
			ua++;
		if (any && json_is_true(json_object_get(any, "ignore_missing")))
			ignore++;
	}
	ok(geo == 1, "geoip: source.ip -> source.geo");
	ok(asn == 1, "geoip (ASN database): source.ip -> source.as");
	ok(ua == 1, "user_agent: user_agent.original -> user_agent.*");
	ok(ignore == 3, "every enrichment processor ignores a missing field");
	ok(strstr(p->body, "\"source.as.number\"") != NULL &&
	    strstr(p->body, "\"source.as.organization.name\"") != NULL,
	    "ASN renamed to ECS's source.as.number, .organization.name");
	ok(json_object_get(json_object_get(b, "_meta"), "elbship_hash") != NULL,
	    "the pipeline carries its hash in _meta");
	json_decref(b);
	snprintf(answer, sizeof(answer), "{\"%s\":{\"processors\":[],"
	    "\"_meta\":{\"elbship_hash\":\"%s\"}}}", ESTEMPLATE_PIPELINE_NAME,
	    p->hash);
	ok(estemplate_installed_hash(p, answer, strlen(answer), have,
	    sizeof(have)) == 0 && strcmp(have, p->hash) == 0,
	    "installed hash read from GET _ingest/pipeline/NAME");
	ok(estemplate_installed_hash(p, "{}", 2, have, sizeof(have)) == -1,
	    "no pipeline: no hash");
	b = body_of(&s, "_component_template/elbship-settings");
	st = json_object_get(json_object_get(json_object_get(b, "template"),
	    "settings"), "index");
	is_str(json_string_value(json_object_get(st, "default_pipeline")),
	    ESTEMPLATE_PIPELINE_NAME, "settings: index.default_pipeline elbship");
	json_decref(b);
	b = body_of(&s, "_index_template/elbship-dead-letter");
	ok(strstr(res_of(&s, "_index_template/elbship-dead-letter")->body,
	    "default_pipeline") == NULL, "the dead-letter index gets no "
	    "pipeline");
	json_decref(b);

	o.dated_glob = "elb-*-*";
	ok(estemplate_build(&o, &d, err, sizeof(err)) == 0 &&
	    strcmp(d.res[1].path, "_ingest/pipeline/elbship") == 0 &&
	    strstr(res_of(&d, "_component_template/elbship-dated-settings")->
	    body, "\"default_pipeline\":\"elbship\"") != NULL,
	    "dated set: the same pipeline, named by its settings");
	ok(strcmp(d.res[1].hash, s.res[1].hash) == 0,
	    "one pipeline body for both sets (one hash)");

	o.dated_glob = NULL;
	o.flavor = ESTEMPLATE_OPENSEARCH;
	ok(estemplate_build(&o, &os, err, sizeof(err)) == 0 &&
	    res_of(&os, "_ingest/pipeline/elbship") == NULL &&
	    strstr(res_of(&os, "_component_template/elbship-settings")->body,
	    "default_pipeline") == NULL,
	    "OpenSearch: no pipeline, no default_pipeline");
	ok(strstr(res_of(&os, "_component_template/elbship-mappings")->body,
	    "constant_keyword") == NULL,
	    "OpenSearch: constant_keyword becomes keyword");
	o.flavor = ESTEMPLATE_ELASTICSEARCH;
	o.enrich = 0;
	ok(estemplate_build(&o, &off, err, sizeof(err)) == 0 && off.n == 5 &&
	    res_of(&off, "_ingest/pipeline/elbship") == NULL &&
	    strstr(res_of(&off, "_component_template/elbship-settings")->body,
	    "default_pipeline") == NULL,
	    "no enrichment: no pipeline, no default_pipeline");
	ok(strcmp(res_of(&off, "_component_template/elbship-settings")->hash,
	    res_of(&s, "_component_template/elbship-settings")->hash) != 0,
	    "turning enrichment off changes the settings' hash (setup "
	    "updates them)");
	estemplate_free(&s);
	estemplate_free(&d);
	estemplate_free(&os);
	estemplate_free(&off);
}

/* ---- no dynamic mapping -------------------------------------------------- */

/*
 * Lines with every field elbship can fill, one per type, plus fields past
 * the last known one (aws.elb.extra_fields).
 */
static const char *const lines[] = {
	/* ALB: all 33 fields, then 2 unknown ones */
	"https 2025-11-03T10:15:00.339563Z app/shop-alb/1a2b3c4d5e6f7a8b "
	"198.51.100.13:5771 10.1.2.3:8080 0.001 0.366 0.000 302 302 243 31744 "
	"\"GET https://shop.example.com:443/a/b?x=1#top HTTP/1.1\" \"curl/8.5.0\" "
	"ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 "
	"arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/tg/0123 "
	"\"Root=1-6908c200-6b0d549b6f03675a1600a35a\" \"shop.example.com\" "
	"\"arn:aws:acm:eu-west-1:111122223333:certificate/aaaa\" 5 "
	"2025-11-03T10:15:00.000000Z \"waf,redirect\" \"https://x.example.com/\" "
	"\"TargetConnectionError\" \"10.1.2.3:8080 10.1.2.4:8080\" \"302 -\" "
	"\"Ambiguous\" \"UndefinedContentLengthSemantics\" TID_1fb17c2390c192cf "
	"\"new.example.com\" \"/new?y=2\" \"TRANSFORMED\" \"future1\" future2",
	/* CLB, TCP listener: bytes, no request; one field past the 15th */
	"2025-11-03T08:00:00.213324Z web-clb 203.0.113.210:22470 10.0.1.8:80 "
	"0.000041 0.006783 0.000020 - - 100 200 \"- - - \" \"-\" "
	"ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 extra",
	/* NLB: all 22 fields, then one more */
	"tls 2.0 2025-11-03T10:20:00.006657Z net/edge-nlb/0f1e2d3c4b5a6978 "
	"c0ffee12345678ab 198.51.100.112:49860 10.2.0.15:443 472 5 776 11548 40 "
	"arn:aws:acm:us-east-1:111122223333:certificate/1234 0A1B2C "
	"ECDHE-RSA-AES128-GCM-SHA256 tlsv13 x25519 api.example.com h2 h2 "
	"\"h2\",\"http/1.1\" 2025-11-03T10:20:00 more",
	/* ALB connection log, verification failed; one field past the 15th */
	"2025-11-03T10:15:00.609831Z 198.51.100.40 57909 443 TLSv1.3 "
	"TLS_AES_128_GCM_SHA256 0.029 \"CN=client-0,O=Example,C=DE\" "
	"NotBefore=2025-01-01T00:00:00Z;NotAfter=2026-01-01T00:00:00Z "
	"0A1B2C3D4E5F Failed:ClientCertMaxChainDepthExceeded "
	"TID_52c602e2bdf2e0778dc1a43ea97f65bd X25519MLKEM768 "
	"app/shop-alb/1a2b3c4d5e6f7a8b 10.0.4.17 extra",
	/* not a log line: an error document */
	"this is not a log line",
};

static const char *const names[] = {
	"111122223333_elasticloadbalancing_eu-west-1_app.shop-alb."
	"1a2b3c4d5e6f7a8b_20251103T1020Z_10.0.4.17_3kq9zz1p.log.gz",
	"111122223333_elasticloadbalancing_eu-west-1_web-clb_20240601T0805Z_"
	"198.51.100.10_1a2b3c4d.log",
	"111122223333_elasticloadbalancing_us-east-1_net.edge-nlb."
	"0f1e2d3c4b5a6978_20251103T1020Z_5f3e2a1b.log.gz",
	"conn_log.111122223333_elasticloadbalancing_eu-west-1_app.shop-alb."
	"1a2b3c4d5e6f7a8b_20251103T1020Z_10.0.4.17_7hq2mm4c.log.gz",
	"111122223333_elasticloadbalancing_eu-west-1_app.shop-alb."
	"1a2b3c4d5e6f7a8b_20251103T1020Z_10.0.4.17_3kq9zz1p.log.gz",
};

/*
 * The mapping of ${path} in ${m} (template.mappings): the leaf's type, or
 * "labels" for a labels.* field covered by the dynamic template; NULL if
 * nothing maps it (it would be left unindexed: a hole in the template).
 */
/* The mapping node of ${path} in ${m}, or NULL. */
static json_t *
mapped_node(json_t *m, const char *path)
{
	json_t *props = json_object_get(m, "properties"), *node = NULL;
	char seg[256];
	const char *p = path;

	while (*p != '\0') {
		size_t n = strcspn(p, ".");

		snprintf(seg, sizeof(seg), "%.*s", (int)n, p);
		node = json_object_get(props, seg);
		if (node == NULL)
			return NULL;
		p += n;
		if (*p == '.') {
			p++;
			props = json_object_get(node, "properties");
		}
	}
	return node;
}

static const char *
mapped_type(json_t *m, const char *path)
{
	json_t *props = json_object_get(m, "properties"), *node = NULL;
	char seg[256];
	const char *p = path;

	if (strncmp(path, "labels.", 7) == 0) {
		json_t *dt = json_object_get(m, "dynamic_templates"), *e;
		json_t *lab = json_object_get(props, "labels");
		size_t i;

		if (!json_is_true(json_object_get(lab, "dynamic")))
			return NULL;
		json_array_foreach(dt, i, e) {
			json_t *t = json_object_get(e, "labels");
			const char *pm = json_string_value(json_object_get(t,
			    "path_match"));
			const char *ty = json_string_value(json_object_get(
			    json_object_get(t, "mapping"), "type"));

			if (pm && ty && strcmp(pm, "labels.*") == 0 &&
			    strcmp(ty, "keyword") == 0)
				return "labels";
		}
		return NULL;
	}
	while (*p != '\0') {
		size_t n = strcspn(p, ".");

		snprintf(seg, sizeof(seg), "%.*s", (int)n, p);
		node = json_object_get(props, seg);
		if (node == NULL)
			return NULL;
		p += n;
		if (*p == '.') {
			p++;
			props = json_object_get(node, "properties");
		}
	}
	return node ? json_string_value(json_object_get(node, "type")) : NULL;
}

/* Check every scalar under ${v} (at ${path}) is mapped in ${m}. */
static void
check_paths(json_t *v, const char *path, json_t *m, const char *flavor,
    int *holes, int *seen)
{
	const char *k;
	json_t *e;
	size_t i;
	char sub[512];

	if (json_is_object(v)) {
		json_object_foreach(v, k, e) {
			snprintf(sub, sizeof(sub), "%s%s%s", path,
			    *path ? "." : "", k);
			check_paths(e, sub, m, flavor, holes, seen);
		}
		return;
	}
	if (json_is_array(v)) {
		json_array_foreach(v, i, e)
			check_paths(e, path, m, flavor, holes, seen);
		return;
	}
	(*seen)++;
	if (mapped_type(m, path) == NULL) {
		(*holes)++;
		printf("# %s: no mapping for %s\n", flavor, path);
	}
}

static void
test_no_dynamic(void)
{
	static const struct ecs_label labels[] = { { "environment", "prod" },
	    { "team", "2025-01-01" } };
	struct estemplate_set es = build(ESTEMPLATE_ELASTICSEARCH, 90);
	struct estemplate_set os = build(ESTEMPLATE_OPENSEARCH, 90);
	json_t *eb = body_of(&es, "_component_template/elbship-mappings");
	json_t *ob = body_of(&os, "_component_template/elbship-mappings");
	json_t *em = json_object_get(json_object_get(eb, "template"),
	    "mappings");
	json_t *om = json_object_get(json_object_get(ob, "template"),
	    "mappings");
	size_t i;
	int holes = 0, seen = 0, s3 = 0, extra = 0, err = 0;

	ok(!json_is_string(json_object_get(em, "dynamic")),
	    "root dynamic is not a string (not \"strict\")");
	ok(json_is_false(json_object_get(em, "dynamic")),
	    "root dynamic: false (unknown fields kept in _source, unindexed)");
	ok(json_is_false(json_object_get(em, "date_detection")),
	    "date_detection off: a label that looks like a date is a keyword");
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct ecs_opts o;
		struct ecs_origin org = { NULL, "elb-logs", NULL, NULL, 0 };
		struct ecs_result res;
		struct ecs_file *f;
		char key[400], *buf, *end;
		json_t *doc;

		snprintf(key, sizeof(key), "AWSLogs/111122223333/"
		    "elasticloadbalancing/eu-west-1/2025/11/03/%s", names[i]);
		org.key = key;
		memset(&o, 0, sizeof(o));
		o.event_original = 1;
		o.labels = labels;
		o.nlabels = 2;
		f = ecs_file_new(&o, &org);
		buf = malloc(ecs_bound(f, strlen(lines[i])));
		if (f == NULL || buf == NULL)
			abort();
		end = ecs_line(f, lines[i], strlen(lines[i]), 100 * i, buf, &res);
		doc = json_loadb(buf, (size_t)(end - buf), 0, NULL);
		if (getenv("ESTEMPLATE_DUMP") != NULL)
			printf("# %.*s\n", (int)(end - buf), buf);
		ok(doc != NULL, "document %zu is JSON", i);
		if (doc != NULL) {
			json_t *elb = json_object_get(json_object_get(doc, "aws"),
			    "elb");

			s3 += json_object_get(json_object_get(doc, "aws"), "s3") !=
			    NULL;
			extra += json_object_get(elb, "extra_fields") != NULL;
			err += json_object_get(doc, "error") != NULL;
			check_paths(doc, "", em, "elasticsearch", &holes, &seen);
			check_paths(doc, "", om, "opensearch", &holes, &seen);
		}
		json_decref(doc);
		free(buf);
		ecs_file_free(f);
	}
	ok(s3 == 5, "every document has aws.s3.* (read from S3)");
	ok(extra == 4, "four documents have aws.elb.extra_fields");
	ok(err == 1, "one error document");
	ok(seen > 300, "%d field values looked up", seen);
	is_int(holes, 0, "every field of every document is mapped, in both "
	    "flavours (nothing left to dynamic mapping)");
	json_decref(eb);
	json_decref(ob);
	estemplate_free(&es);
	estemplate_free(&os);
}

static void
test_data(void)
{
	const struct estemplate_file *f;
	int n = 0, good = 1;

	for (f = estemplate_files; f->name != NULL; f++) {
		json_t *j = json_loads(f->json, 0, NULL);

		good &= json_is_object(j);
		json_decref(j);
		n++;
	}
	is_int(n, 6, "six JSON files compiled in");
	ok(good, "each is a JSON object");
}

/* The dead-letter index's template: with either set, only when asked. */
static void
test_dead_letter(void)
{
	struct estemplate_opts o = { .flavor = ESTEMPLATE_ELASTICSEARCH,
	    .retention_days = 90, .dead_letter_index = "my-dead-letters" };
	struct estemplate_set s, d, os;
	char err[256];
	json_t *b, *props;
	const char *path = "_index_template/" ESTEMPLATE_DEAD_LETTER_NAME;

	ok(estemplate_build(&o, &s, err, sizeof(err)) == 0 && s.n == 5,
	    "dead letter: the data stream set and one more resource");
	ok(strcmp(s.res[4].path, path) == 0, "dead letter: installed last, as %s",
	    path);
	b = body_of(&s, path);
	props = json_object_get(json_object_get(json_object_get(b, "template"),
	    "mappings"), "properties");
	ok(strcmp(json_string_value(json_array_get(json_object_get(b,
	    "index_patterns"), 0)), "my-dead-letters") == 0 &&
	    json_array_size(json_object_get(b, "index_patterns")) == 1,
	    "dead letter: matches the index named, only");
	ok(json_integer_value(json_object_get(b, "priority")) == 250 &&
	    json_object_get(b, "data_stream") == NULL,
	    "dead letter: priority 250, a plain index");
	ok(json_is_false(json_object_get(json_object_get(json_object_get(b,
	    "template"), "mappings"), "dynamic")),
	    "dead letter: dynamic false (nothing in a record is mapped by guess)");
	ok(strcmp(json_string_value(json_object_get(json_object_get(props,
	    "document"), "type")), "keyword") == 0 &&
	    json_is_false(json_object_get(json_object_get(props, "document"),
	    "index")), "dead letter: the document is an unindexed string");
	ok(json_object_get(json_object_get(b, "_meta"), "elbship_hash") != NULL,
	    "dead letter: carries its hash");
	json_decref(b);
	o.dated_glob = "elb-*-*";
	ok(estemplate_build(&o, &d, err, sizeof(err)) == 0 && d.n == 5 &&
	    strcmp(d.res[4].path, path) == 0,
	    "dead letter: also with the dated set");
	o.flavor = ESTEMPLATE_OPENSEARCH;
	o.dated_glob = NULL;
	ok(estemplate_build(&o, &os, err, sizeof(err)) == 0 && os.n == 4,
	    "dead letter: OpenSearch: three plus the dead-letter template");
	b = body_of(&os, path);
	props = json_object_get(json_object_get(json_object_get(b, "template"),
	    "mappings"), "properties");
	props = json_object_get(json_object_get(json_object_get(
	    json_object_get(props, "elbship"), "properties"), "error"),
	    "properties");
	ok(strcmp(json_string_value(json_object_get(json_object_get(props,
	    "reason"), "type")), "text") == 0,
	    "dead letter: OpenSearch: reason is text");
	json_decref(b);
	estemplate_free(&s);
	estemplate_free(&d);
	estemplate_free(&os);
}

int
main(void)
{
	test_data();
	test_resources();
	test_ilm();
	test_opensearch();
	test_hash();
	test_dated();
	test_dated_retention();
	test_dated_hash();
	test_dated_check();
	test_installed();
	test_detect();
	test_matches();
	test_no_dynamic();
	test_dead_letter();
	test_integration_types();
	test_enrich();
	return tap_done();
}
