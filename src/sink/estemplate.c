/*
 * estemplate.c: the bodies `elbship setup` installs, their hashes, and
 * reading a cluster's answers.  See estemplate.h.
 *
 * Choices (the why is here because the JSON cannot hold comments):
 *
 * - Root `dynamic: false`, not "strict" and not true.  A field elbship
 *   does not map (added by an ingest pipeline, or written by a newer
 *   elbship before setup was re-run) stays in _source, searchable later
 *   with a runtime field or after a mapping update, and never costs the
 *   document: "strict" would reject every such document (a dead letter
 *   per line), and true would let the first value guess a type that then
 *   holds for the backing index's life and counts against the field limit.
 *   `labels` alone is dynamic, mapped by a dynamic template to keyword
 *   (keys are checked by elbship: letters, digits, _ and -, so no dots);
 *   date_detection is off so "2025-01-01" stays a keyword too.
 * - Keywords have ignore_above 1024, as in ECS: a longer value is kept in
 *   _source but not indexed, where Lucene would reject a term over 32766
 *   bytes and with it the document.
 * - url.original and url.path are `wildcard`, and user_agent.original and
 *   error.message have `match_only_text`, as ECS and Elastic's AWS
 *   integration have them, so its dashboards and queries work.  OpenSearch
 *   (before 2.15 and 2.12) has neither, so there they become keyword
 *   (ignore_above 8191: the most UTF-8 that fits a Lucene term) with a
 *   `text` multi-field, and text: exact match and aggregations on the
 *   keyword, full-text search on .text.  (A leading-wildcard query on a
 *   keyword works but is slow; that is the price of running everywhere.)
 * - event.original is kept, not indexed (index and doc_values false), as
 *   in ECS: it is for reading and reprocessing.
 * - Settings: ILM policy elbship, best_compression (logs are written once
 *   and read rarely), and ignore_malformed, as Elastic's logs@settings has:
 *   a value that does not fit its field's type is left out of the index
 *   (listed in _ignored) instead of the document being rejected.
 * - Enrichment (opts.enrich) is an ingest pipeline, elbship, named by the
 *   settings as index.default_pipeline: what Elastic's integration does
 *   after its grok (GeoIP for source.ip into source.geo.* and source.as.*,
 *   user agent parsing into user_agent.*), so that the traffic map and the
 *   user agent fields of Elastic's dashboards have data.  elbship stays the
 *   parser: the pipeline only adds fields, each processor ignores a missing
 *   field, and a processor that fails tags the document
 *   (_elbship_geoip_failure, _elbship_user_agent_failure) instead of
 *   costing it.  A default_pipeline, not a final_pipeline: a bulk request
 *   that names a pipeline of its own (--es-pipeline) replaces it, so a
 *   user's pipeline can call this one (a `pipeline` processor) or not.
 *   Elasticsearch only: OpenSearch's GeoIP is the ip2geo processor of its
 *   geospatial plugin with a data source the operator creates, so setup
 *   installs no pipeline there and says so (src/cli/setup.c).
 * - data_stream.type and .dataset are constant_keyword with the values
 *   logs and aws.elb_logs, and event.dataset and event.module
 *   constant_keyword as in the integration (docs/design.md, "Elastic's
 *   dashboards"): a constant_keyword with a value matches every document
 *   of the index, so Elastic's dashboards, which filter on
 *   data_stream.dataset : "aws.elb_logs", find elbship's documents without
 *   the documents carrying it.  OpenSearch (before 2.14) has no
 *   constant_keyword: there they are keyword.
 * - Dated indices get their own ILM policy, settings and index template,
 *   derived from the same files (no rollover, no data_stream, their
 *   pattern), and share the mappings: a field mapped one way in a data
 *   stream and another in a dated index would break searches over both.
 *   They get their own names rather than a variant of elbship's, so that a
 *   cluster can hold both sets at once (an old data stream being read
 *   while new logs go to dated indices) and neither setup undoes the
 *   other's.  The index template keeps priority 200: its pattern is kept
 *   clear of logs-*-* and the other built-in data stream patterns
 *   (estemplate_dated_check()), so no template competes for its names.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/sha.h>

#include "sink/estemplate.h"
#include "util/hex.h"

/* The keyword that replaces `wildcard` on OpenSearch: 8191 characters of
 * at most 4 UTF-8 bytes each fit a Lucene term (32766 bytes). */
#define OS_KEYWORD_IGNORE_ABOVE 8191

static const char *
file_json(const char *name)
{
	const struct estemplate_file *f;

	for (f = estemplate_files; f->name != NULL; f++)
		if (strcmp(f->name, name) == 0)
			return f->json;
	return NULL;
}

static json_t *
load(const char *name, char *err, size_t cap)
{
	const char *text = file_json(name);
	json_error_t je;
	json_t *j;

	if (text == NULL) {
		snprintf(err, cap, "share/es/%s is not compiled in (run "
		    "scripts/gen-templates.sh)", name);
		return NULL;
	}
	j = json_loads(text, 0, &je);
	if (j == NULL || !json_is_object(j)) {
		snprintf(err, cap, "share/es/%s: line %d: %s", name, je.line,
		    j == NULL ? je.text : "not an object");
		json_decref(j);
		return NULL;
	}
	return j;
}

/* Replace the types OpenSearch lacks, in ${props} (a "properties" or
 * "fields" object) and below. */
static void
opensearch_types(json_t *props)
{
	const char *k;
	json_t *f;

	json_object_foreach(props, k, f) {
		const char *type = json_string_value(json_object_get(f, "type"));
		json_t *sub;

		if ((sub = json_object_get(f, "properties")) != NULL)
			opensearch_types(sub);
		if ((sub = json_object_get(f, "fields")) != NULL)
			opensearch_types(sub);
		if (type == NULL)
			continue;
		if (strcmp(type, "constant_keyword") == 0) {
			json_object_set_new(f, "type", json_string("keyword"));
			json_object_del(f, "value");
			json_object_set_new(f, "ignore_above", json_integer(1024));
		} else if (strcmp(type, "match_only_text") == 0) {
			json_object_set_new(f, "type", json_string("text"));
		} else if (strcmp(type, "wildcard") == 0) {
			json_object_set_new(f, "type", json_string("keyword"));
			json_object_set_new(f, "ignore_above",
			    json_integer(OS_KEYWORD_IGNORE_ABOVE));
			sub = json_object_get(f, "fields");
			if (sub == NULL) {
				sub = json_object();
				json_object_set_new(f, "fields", sub);
			}
			if (json_object_get(sub, "text") == NULL)
				json_object_set_new(sub, "text",
				    json_pack("{s:s}", "type", "text"));
		}
	}
}

/* Where the resource's _meta lives in its body. */
static json_t *
meta_of(int kind, json_t *body)
{
	json_t *holder = kind == ESTEMPLATE_ILM ?
	    json_object_get(body, "policy") : body;
	json_t *m = json_object_get(holder, "_meta");

	if (m == NULL && holder != NULL) {
		m = json_object();
		json_object_set_new(holder, "_meta", m);
	}
	return m;
}

/* Hash ${body} (keys sorted, compact), store it in its _meta, and fill
 * ${r}.  Takes ${body}. */
static int
finish(struct estemplate_res *r, int kind, const char *what,
    const char *name, const char *dir, json_t *body, char *err, size_t cap)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	json_t *meta = meta_of(kind, body);
	char *canon;

	canon = meta ? json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	if (canon == NULL) {
		snprintf(err, cap, "cannot render the %s %s", what, name);
		json_decref(body);
		return -1;
	}
	SHA256((const unsigned char *)canon, strlen(canon), md);
	free(canon);
	hex_lower(md, ESTEMPLATE_HASH_LEN / 2, r->hash);
	r->hash[ESTEMPLATE_HASH_LEN] = '\0';
	json_object_set_new(meta, "elbship_hash", json_string(r->hash));
	r->kind = kind;
	r->what = what;
	r->name = name;
	snprintf(r->path, sizeof(r->path), "%s/%s", dir, name);
	r->body = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	if (r->body == NULL) {
		snprintf(err, cap, "cannot render the %s %s", what, name);
		return -1;
	}
	return 0;
}

/*
 * Drop the rollover action from every phase of ${phases}, and the phases
 * left with no action: a dated index is a plain index, which ILM cannot
 * roll over (no write alias); the action would stop its lifecycle in the
 * ERROR step, and its delete phase with it.
 */
static void
drop_rollover(json_t *phases)
{
	const char *k;
	json_t *ph, *tmp;

	json_object_foreach_safe(phases, tmp, k, ph) {
		json_t *actions = json_object_get(ph, "actions");

		json_object_del(actions, "rollover");
		if (json_object_size(actions) == 0)
			json_object_del(phases, k);
	}
}

static int
build_ilm(const struct estemplate_opts *o, struct estemplate_res *r,
    char *err, size_t cap)
{
	json_t *body = load("ilm-policy.json", err, cap);
	json_t *policy, *phases, *meta;
	char age[32];

	if (body == NULL)
		return -1;
	policy = json_object_get(body, "policy");
	phases = json_object_get(policy, "phases");
	if (!json_is_object(phases) ||
	    !json_is_object(json_object_get(phases, "delete"))) {
		snprintf(err, cap, "share/es/ilm-policy.json: no "
		    "policy.phases.delete");
		json_decref(body);
		return -1;
	}
	if (o->retention_days == 0) {
		json_object_del(phases, "delete");
	} else {
		snprintf(age, sizeof(age), "%ud", o->retention_days);
		json_object_set_new(json_object_get(phases, "delete"), "min_age",
		    json_string(age));
	}
	meta = meta_of(ESTEMPLATE_ILM, body);
	json_object_set_new(meta, "retention_days",
	    json_integer((json_int_t)o->retention_days));
	if (o->dated_glob == NULL)
		return finish(r, ESTEMPLATE_ILM, "ILM policy", "elbship",
		    "_ilm/policy", body, err, cap);
	drop_rollover(phases);
	json_object_set_new(meta, "description", json_string("Dated indices "
	    "(one per day or month, never rolled over): delete each after the "
	    "retention elbship setup was given, counted from its creation"));
	return finish(r, ESTEMPLATE_ILM, "ILM policy", ESTEMPLATE_DATED_NAME,
	    "_ilm/policy", body, err, cap);
}

/* Whether the set has the enrichment pipeline. */
static int
enriching(const struct estemplate_opts *o)
{
	return o->enrich && o->flavor == ESTEMPLATE_ELASTICSEARCH;
}

/* The enrichment pipeline, the same for both sets. */
static int
build_pipeline(struct estemplate_res *r, char *err, size_t cap)
{
	json_t *body = load("pipeline.json", err, cap);

	if (body == NULL)
		return -1;
	if (!json_is_array(json_object_get(body, "processors"))) {
		snprintf(err, cap, "share/es/pipeline.json: no processors");
		json_decref(body);
		return -1;
	}
	return finish(r, ESTEMPLATE_PIPELINE, "ingest pipeline",
	    ESTEMPLATE_PIPELINE_NAME, "_ingest/pipeline", body, err, cap);
}

static int
build_settings(const struct estemplate_opts *o, struct estemplate_res *r,
    char *err, size_t cap)
{
	json_t *body = load("settings.json", err, cap);
	json_t *index;

	if (body == NULL)
		return -1;
	index = json_object_get(json_object_get(json_object_get(body,
	    "template"), "settings"), "index");
	if (!json_is_object(index)) {
		snprintf(err, cap, "share/es/settings.json: no "
		    "template.settings.index");
		json_decref(body);
		return -1;
	}
	if (o->flavor == ESTEMPLATE_OPENSEARCH)
		json_object_del(index, "lifecycle");
	if (enriching(o))
		json_object_set_new(index, "default_pipeline",
		    json_string(ESTEMPLATE_PIPELINE_NAME));
	if (o->dated_glob == NULL)
		return finish(r, ESTEMPLATE_COMPONENT, "component template",
		    "elbship-settings", "_component_template", body, err, cap);
	/* No retention, no policy (see estemplate_build()). */
	if (o->retention_days == 0)
		json_object_del(index, "lifecycle");
	else if (json_object_get(index, "lifecycle") != NULL)
		json_object_set_new(json_object_get(index, "lifecycle"), "name",
		    json_string(ESTEMPLATE_DATED_NAME));
	json_object_set_new(meta_of(ESTEMPLATE_COMPONENT, body), "description",
	    json_string("Index settings for elbship's dated indices; installed "
	    "by elbship setup"));
	return finish(r, ESTEMPLATE_COMPONENT, "component template",
	    ESTEMPLATE_DATED_SETTINGS, "_component_template", body, err, cap);
}

static int
build_mappings(const struct estemplate_opts *o, struct estemplate_res *r,
    char *err, size_t cap)
{
	json_t *body = load("mappings.json", err, cap);
	json_t *props;

	if (body == NULL)
		return -1;
	props = json_object_get(json_object_get(json_object_get(body,
	    "template"), "mappings"), "properties");
	if (!json_is_object(props)) {
		snprintf(err, cap, "share/es/mappings.json: no "
		    "template.mappings.properties");
		json_decref(body);
		return -1;
	}
	if (o->flavor == ESTEMPLATE_OPENSEARCH)
		opensearch_types(props);
	return finish(r, ESTEMPLATE_COMPONENT, "component template",
	    "elbship-mappings", "_component_template", body, err, cap);
}

static int
build_index(const struct estemplate_opts *o, struct estemplate_res *r,
    char *err, size_t cap)
{
	json_t *body = load("index-template.json", err, cap);
	json_t *composed, *c;
	char desc[400];
	size_t i;

	if (body == NULL)
		return -1;
	if (o->dated_glob == NULL)
		return finish(r, ESTEMPLATE_INDEX, "index template", "elbship",
		    "_index_template", body, err, cap);
	/* Without data_stream the names it matches are plain indices. */
	json_object_del(body, "data_stream");
	json_object_set_new(body, "index_patterns",
	    json_pack("[s]", o->dated_glob));
	composed = json_object_get(body, "composed_of");
	json_array_foreach(composed, i, c) {
		const char *v = json_string_value(c);

		if (v != NULL && strcmp(v, "elbship-settings") == 0)
			json_array_set_new(composed, i,
			    json_string(ESTEMPLATE_DATED_SETTINGS));
	}
	snprintf(desc, sizeof(desc), "Dated indices %s (one per UTC day or "
	    "month) written by elbship; installed by elbship setup",
	    o->dated_glob);
	json_object_set_new(meta_of(ESTEMPLATE_INDEX, body), "description",
	    json_string(desc));
	return finish(r, ESTEMPLATE_INDEX, "index template",
	    ESTEMPLATE_DATED_NAME, "_index_template", body, err, cap);
}

/* The dead-letter index's template: its own mapping, no policy. */
static int
build_dead_letter(const struct estemplate_opts *o, struct estemplate_res *r,
    char *err, size_t cap)
{
	json_t *body = load("dead-letter.json", err, cap);

	if (body == NULL)
		return -1;
	json_object_set_new(body, "index_patterns",
	    json_pack("[s]", o->dead_letter_index));
	if (o->flavor == ESTEMPLATE_OPENSEARCH)
		opensearch_types(json_object_get(json_object_get(json_object_get(
		    body, "template"), "mappings"), "properties"));
	return finish(r, ESTEMPLATE_INDEX, "index template",
	    ESTEMPLATE_DEAD_LETTER_NAME, "_index_template", body, err, cap);
}

/**
 * estemplate_build(o, out, err, cap): the resources to install for ${o},
 * in installation order, each with its body and hash.  Returns 0, or -1
 * with a message in ${err}.
 */
int
estemplate_build(const struct estemplate_opts *o, struct estemplate_set *out,
    char *err, size_t cap)
{
	memset(out, 0, sizeof(*out));
	if (o->retention_days > ESTEMPLATE_MAX_RETENTION) {
		snprintf(err, cap, "the retention must be at most %u days",
		    ESTEMPLATE_MAX_RETENTION);
		return -1;
	}
	if (o->dated_glob != NULL &&
	    estemplate_dated_check(o->dated_glob, err, cap) != 0)
		return -1;
	/*
	 * A data stream keeps its policy without a retention: it still rolls
	 * over.  A dated index has nothing else for a policy to do, and an
	 * empty one would only be one more thing to read in Kibana.
	 */
	if (o->flavor == ESTEMPLATE_ELASTICSEARCH &&
	    (o->dated_glob == NULL || o->retention_days > 0)) {
		if (build_ilm(o, &out->res[out->n], err, cap) != 0)
			goto fail;
		out->n++;
	}
	/* Before the settings that name it: a document indexed in between
	 * would fail on a missing pipeline. */
	if (enriching(o)) {
		if (build_pipeline(&out->res[out->n], err, cap) != 0)
			goto fail;
		out->n++;
	}
	if (build_settings(o, &out->res[out->n], err, cap) != 0)
		goto fail;
	out->n++;
	if (build_mappings(o, &out->res[out->n], err, cap) != 0)
		goto fail;
	out->n++;
	if (build_index(o, &out->res[out->n], err, cap) != 0)
		goto fail;
	out->n++;
	if (o->dead_letter_index != NULL) {
		if (build_dead_letter(o, &out->res[out->n], err, cap) != 0)
			goto fail;
		out->n++;
	}
	return 0;
fail:
	free(out->res[out->n].body);
	out->res[out->n].body = NULL;
	estemplate_free(out);
	return -1;
}

/**
 * estemplate_print(s, pretty): the bodies of ${s} as one JSON object keyed
 * by path.  Returns a string the caller frees, or NULL.
 */
char *
estemplate_print(const struct estemplate_set *s, int pretty)
{
	json_t *all = json_object();
	char *text;
	size_t i;

	for (i = 0; i < s->n; i++) {
		json_t *b = json_loads(s->res[i].body, 0, NULL);

		if (b == NULL) {
			json_decref(all);
			return NULL;
		}
		json_object_set_new(all, s->res[i].path, b);
	}
	text = json_dumps(all, pretty ? JSON_INDENT(2) : JSON_COMPACT);
	json_decref(all);
	return text;
}

/**
 * estemplate_free(s): free the bodies of ${s}; ${s} is then empty.
 */
void
estemplate_free(struct estemplate_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->res[i].body);
	memset(s, 0, sizeof(*s));
}

/* The resource named ${name} in a GET answer's list ${list}, under ${key}. */
static json_t *
find_named(json_t *list, const char *name, const char *key)
{
	size_t i;
	json_t *e;

	json_array_foreach(list, i, e) {
		const char *n = json_string_value(json_object_get(e, "name"));

		if (n != NULL && strcmp(n, name) == 0)
			return json_object_get(e, key);
	}
	return NULL;
}

/**
 * estemplate_installed_hash(r, body, n, out, cap): the _meta.elbship_hash
 * of ${r->name} in the answer to GET ${r->path}.  Returns 0, or -1 if
 * there is none.
 */
int
estemplate_installed_hash(const struct estemplate_res *r, const char *body,
    size_t n, char *out, size_t cap)
{
	json_t *root = json_loadb(body, n, 0, NULL);
	json_t *res = NULL, *meta;
	const char *h;
	int rc = -1;

	if (root == NULL)
		return -1;
	switch (r->kind) {
	case ESTEMPLATE_ILM:
		res = json_object_get(json_object_get(root, r->name), "policy");
		break;
	case ESTEMPLATE_PIPELINE:
		res = json_object_get(root, r->name);
		break;
	case ESTEMPLATE_COMPONENT:
		res = find_named(json_object_get(root, "component_templates"),
		    r->name, "component_template");
		break;
	case ESTEMPLATE_INDEX:
		res = find_named(json_object_get(root, "index_templates"),
		    r->name, "index_template");
		break;
	}
	meta = json_object_get(res, "_meta");
	h = json_string_value(json_object_get(meta, "elbship_hash"));
	if (h != NULL && strlen(h) < cap) {
		memcpy(out, h, strlen(h) + 1);
		rc = 0;
	}
	json_decref(root);
	return rc;
}

/* "8.15.0" -> 8, 15; -1 if it does not start with digits. */
static int
parse_version(const char *v, unsigned *major, unsigned *minor)
{
	unsigned x = 0, y = 0;

	if (*v < '0' || *v > '9')
		return -1;
	while (*v >= '0' && *v <= '9' && x < 100000)
		x = x * 10 + (unsigned)(*v++ - '0');
	if (*v == '.')
		for (v++; *v >= '0' && *v <= '9' && y < 100000; v++)
			y = y * 10 + (unsigned)(*v - '0');
	*major = x;
	*minor = y;
	return 0;
}

/**
 * estemplate_detect(body, n, flavor, version, vcap, err, cap): which
 * product and version answered GET /.  Returns 0, or -1 with a message.
 */
int
estemplate_detect(const char *body, size_t n, int *flavor, char *version,
    size_t vcap, char *err, size_t cap)
{
	json_t *root = json_loadb(body, n, 0, NULL);
	json_t *ver = json_object_get(root, "version");
	const char *num = json_string_value(json_object_get(ver, "number"));
	const char *dist = json_string_value(json_object_get(ver,
	    "distribution"));
	unsigned major, minor;
	int rc = -1;

	if (num == NULL || parse_version(num, &major, &minor) != 0) {
		snprintf(err, cap, "the answer to GET / has no version.number: "
		    "not Elasticsearch or OpenSearch?");
		goto out;
	}
	snprintf(version, vcap, "%s", num);
	if (dist != NULL && strcmp(dist, "opensearch") == 0) {
		*flavor = ESTEMPLATE_OPENSEARCH;
		if (major < 1) {
			snprintf(err, cap, "OpenSearch %s is too old: setup "
			    "needs 1.0 or later (composable templates)", num);
			goto out;
		}
	} else {
		*flavor = ESTEMPLATE_ELASTICSEARCH;
		if (major < 7 || (major == 7 && minor < 14)) {
			snprintf(err, cap, "Elasticsearch %s is too old: setup "
			    "needs 7.14 or later (match_only_text, "
			    "max_primary_shard_size, ILM _meta)", num);
			goto out;
		}
	}
	rc = 0;
out:
	json_decref(root);
	return rc;
}

/*
 * 1 if some name matches both ${a} and ${b}, patterns where "*" is any
 * run of characters (as in index_patterns): the overlap Elasticsearch
 * refuses between two index templates of equal priority.  Dynamic
 * programming from the ends: can[i][j] says whether a[i..] and b[j..]
 * have a common match.  -1 on allocation failure.
 */
static int
globs_overlap(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, w = lb + 1;
	unsigned char *can = calloc((la + 1) * w, 1);
	int r;

	if (can == NULL)
		return -1;
	for (i = la + 1; i-- > 0; ) {
		for (j = lb + 1; j-- > 0; ) {
			unsigned char v;

			if (i == la && j == lb)
				v = 1;
			else if (i < la && a[i] == '*')
				v = can[(i + 1) * w + j] ||
				    (j < lb && can[i * w + j + 1]);
			else if (j < lb && b[j] == '*')
				v = can[i * w + j + 1] ||
				    (i < la && can[(i + 1) * w + j]);
			else
				v = i < la && j < lb && a[i] == b[j] &&
				    can[(i + 1) * w + j + 1];
			can[i * w + j] = v;
		}
	}
	r = can[0];
	free(can);
	return r;
}

/**
 * estemplate_dated_check(glob, err, cap): 0 if the dated index template
 * for ${glob} can be installed, else -1 with a message.
 */
int
estemplate_dated_check(const char *glob, char *err, size_t cap)
{
	/* Elasticsearch's built-in data stream templates (priority 100). */
	static const char *const builtin[] = { "logs-*-*", "metrics-*-*",
	    "traces-*-*", "synthetics-*-*", NULL };
	const char *const *b;

	if (glob == NULL || *glob == '\0') {
		snprintf(err, cap, "no index pattern for the dated indices");
		return -1;
	}
	if (*glob == '*') {
		snprintf(err, cap, "dated index names must start with fixed "
		    "text, not a placeholder: the index template's pattern %s "
		    "would take other indices too; use e.g. elb-{type}-{date}",
		    glob);
		return -1;
	}
	for (b = builtin; *b != NULL; b++) {
		int o = globs_overlap(glob, *b);

		if (o < 0) {
			snprintf(err, cap, "out of memory");
			return -1;
		}
		if (o == 0)
			continue;
		snprintf(err, cap, "dated index names (%s) must not overlap "
		    "%s, names that are data streams (Elasticsearch's built-in "
		    "template)%s; use a prefix of your own, e.g. "
		    "elb-{type}-{date}", glob, *b,
		    globs_overlap(glob, ESTEMPLATE_PATTERN) == 1 ? ", and "
		    "elbship's own " ESTEMPLATE_PATTERN " template, at the same "
		    "priority, would collide with this one" : "");
		return -1;
	}
	return 0;
}

/**
 * estemplate_matches(index): 1 if ${index} matches ESTEMPLATE_PATTERN.
 */
int
estemplate_matches(const char *index)
{
	return fnmatch(ESTEMPLATE_PATTERN, index, 0) == 0;
}
