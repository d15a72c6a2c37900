/*
 * setup.c: `elbship setup`: install in Elasticsearch (or OpenSearch) what
 * elbship's data streams need: an ILM policy, the enrichment ingest
 * pipeline (unless --no-enrich), two component templates and an index
 * template (src/sink/estemplate.h says what and why), and on request the
 * data streams themselves.  An --es-index with {date} or
 * {month} names dated indices instead, which get a set of their own
 * (elbship-dated); setup refuses such a pattern if its template could not
 * coexist with the data stream set or with Elasticsearch's own templates.
 *
 * Idempotent: each resource is read first (GET) and written (PUT) only if
 * it is missing or differs from what this elbship would install, which is
 * told by the hash each body carries in _meta.elbship_hash; so a re-run
 * says "unchanged" and changes nothing.  Nothing is ever deleted.
 *
 * Connection settings are ship's (core/settings.h): the same flags and
 * ELBSHIP_* variables.  Setup's own flags are taken out of argv before
 * settings_args() sees the rest.  Requests are synchronous, one at a time,
 * on one libcurl handle (keep-alive), authenticated as ship's are (basic,
 * API key, or AWS SigV4 for Amazon OpenSearch Service and Serverless).
 * Credentials never appear in output: URLs holding user:password are
 * refused, as by ship.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <jansson.h>

#include "aws/creds.h"
#include "aws/httpsign.h"
#include "aws/provider.h"
#include "cli/cli.h"
#include "core/settings.h"
#include "parse/lbtype.h"
#include "sink/es.h"
#include "sink/estemplate.h"
#include "util/buf.h"
#include "util/xalloc.h"

#define RESP_MAX (16u << 20)	/* largest answer read */
#define DEFAULT_RETENTION 90	/* days */
#define EXIT_CLUSTER 1		/* unreachable, or refused a request */

enum state { ST_MISSING, ST_SAME, ST_DIFFERENT };

struct setup {
	struct settings set;
	/* setup's own flags */
	int print, force, dry_run, create_ds;
	int flavor;			/* -1: ask the cluster */
	unsigned retention;
	int dated;			/* --es-index has {date} or {month} */
	char glob[256];			/* its index template pattern */
	/* connection */
	struct aws_provider aws;	/* --es-aws-sigv4 */
	struct es_sigv4 sigv4;
	char region[64];
	CURL *easy;
	char *base;			/* URL without trailing slashes */
	struct buf resp;
	char curlerr[CURL_ERROR_SIZE];
	int changed;			/* something was created or updated */
	int existed;			/* a data stream was there already */
};

/* The connection flags of the settings table that setup uses, for --help. */
static const char *const conn_flags[] = {
	"es", "es-user", "es-password-file", "es-api-key-file",
	"es-aws-sigv4", "aws-region", "es-ca", "es-cert", "es-key",
	"insecure-skip-tls-verify", "timeout", "es-index", "dead-letter-index",
	"no-enrich", NULL
};

/*
 * Print the entries of settings_usage() for the flags in conn_flags, so
 * that their help text and environment variables have one source.
 */
static void
conn_usage(FILE *f)
{
	char *text = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	int keep = 0;

	if (m == NULL)
		return;
	settings_usage(m);
	fclose(m);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		const char *dd = strstr(line, "--");

		if (strncmp(line, "          ", 10) == 0) {
			if (keep)
				fprintf(f, "%s\n", line);
			continue;
		}
		keep = 0;
		if (dd != NULL && (strncmp(line, "  -", 3) == 0 ||
		    strncmp(line, "      --", 8) == 0)) {
			size_t n = strcspn(dd + 2, " ");
			const char *const *c;

			for (c = conn_flags; *c != NULL; c++)
				if (strlen(*c) == n && strncmp(*c, dd + 2, n) == 0)
					keep = 1;
			if (keep)
				fprintf(f, "%s\n", line);
		}
	}
	free(text);
}

void
setup_usage(FILE *f)
{
	fprintf(f,
"usage: elbship setup --es URL [OPTIONS]\n"
"       elbship setup --print [--opensearch] [--retention-days N]\n"
"                     [--es-index NAME] [--dead-letter-index NAME]\n"
"\n"
"Install in Elasticsearch what elbship's documents need, before the first\n"
"`elbship ship --es`.  For data streams (the default --es-index,\n"
"logs-elb.{type}-default):\n"
"  _ilm/policy/elbship                   roll over at 50 GB per primary shard\n"
"                                        or 30 days; delete after\n"
"                                        --retention-days\n"
"  _ingest/pipeline/elbship              enrichment, as Elastic's AWS\n"
"                                        integration does it: GeoIP of\n"
"                                        source.ip into source.geo.* and\n"
"                                        source.as.*, user agent parsing into\n"
"                                        user_agent.*; not with --no-enrich\n"
"  _component_template/elbship-settings  the ILM policy, best_compression,\n"
"                                        ignore_malformed, default_pipeline\n"
"                                        elbship\n"
"  _component_template/elbship-mappings  a mapping for every field elbship\n"
"                                        writes (docs/fields.md)\n"
"  _index_template/elbship               data streams %s, priority\n"
"                                        200 (above the built-in logs-*-*)\n"
"For dated indices (an --es-index with {date} or {month}, e.g.\n"
"elb-{type}-{date}: one plain index per UTC day or month):\n"
"  _ilm/policy/elbship-dated             no rollover; delete each index\n"
"                                        --retention-days after its creation\n"
"                                        (its first write, so its last\n"
"                                        documents are kept up to a day or a\n"
"                                        month less); none with\n"
"                                        --retention-days 0\n"
"  _component_template/elbship-dated-settings\n"
"                                        as elbship-settings, with the policy\n"
"                                        elbship-dated (none without it)\n"
"  _component_template/elbship-mappings  the same as for data streams\n"
"  _index_template/elbship-dated         --es-index with each placeholder as\n"
"                                        * (elb-*-*), no data stream,\n"
"                                        priority 200, composed of the two\n"
"Both sets can be installed on one cluster.  A dated --es-index must start\n"
"with fixed text and must not overlap logs-*-*, metrics-*-*, traces-*-* or\n"
"synthetics-*-* (names that are data streams).  With either set:\n"
"  _index_template/elbship-dead-letter   the dead-letter index\n"
"                                        (--dead-letter-index, default\n"
"                                        elbship-dead-letter), priority 250:\n"
"                                        reason, status, original line and\n"
"                                        the document as an unindexed string\n"
"\n"
"data_stream.dataset is mapped as the constant aws.elb_logs (and\n"
"data_stream.type as logs), so that Elastic's \"[Logs AWS] ELB Access Log\n"
"Overview\" dashboard, installed from Kibana's AWS integration, shows\n"
"elbship's documents; elbship's data streams keep their own names, beside\n"
"the integration's logs-aws.elb_logs-* (docs/deploy.md).\n"
"\n"
"Fields elbship does not know are kept in _source but not indexed (dynamic:\n"
"false), so no document is ever rejected for a new field; labels.* are\n"
"keywords.\n"
"\n"
"Idempotent: each resource is read first and written only if it is missing\n"
"(\"created\") or differs from this elbship's (\"updated\"); otherwise it is\n"
"\"unchanged\".  The comparison uses the hash each body carries in\n"
"_meta.elbship_hash.  Templates apply to data streams created afterwards\n"
"and to existing ones from their next rollover; to dated indices created\n"
"afterwards (the next day's or month's), not to existing ones.\n"
"\n"
"OpenSearch (found from GET /, or --opensearch): the same templates with\n"
"keyword + text instead of wildcard and match_only_text, keyword instead\n"
"of constant_keyword, and no lifecycle policy: OpenSearch has ISM, not ILM,\n"
"and setup does not manage ISM.  No enrichment pipeline either: GeoIP\n"
"there is the geospatial plugin's ip2geo processor, with a data source the\n"
"operator creates (--es-pipeline names a pipeline of your own).\n"
"\n"
"Setup options:\n"
"      --print\n"
"          print the bodies as one JSON object keyed by path, without\n"
"          contacting a cluster (Elasticsearch's unless --opensearch; the\n"
"          dated set for a dated --es-index)\n"
"      --retention-days N\n"
"          delete backing indices N days after rollover, dated indices N\n"
"          days after their creation (default %d; 0: keep everything:\n"
"          no delete phase, and no policy for dated indices; at most %d)\n"
"      --create-data-streams\n"
"          also create the data streams for alb, clb, nlb and albconn\n"
"          (--es-index, default logs-elb.{type}-default) if missing; not\n"
"          with a dated --es-index (the first write creates each index)\n"
"      --opensearch, --elasticsearch\n"
"          do not ask the cluster (GET /) which one it is\n"
"      --dry-run\n"
"          read only: say what would be created or updated\n"
"      --force\n"
"          write every resource, even those that are unchanged\n"
"  -q, --quiet\n"
"          print only warnings and errors\n"
"  -h, --help\n"
"          show this help\n"
"\n"
"Connection (the same flags and environment variables as ship; ship's other\n"
"settings are accepted and ignored, so one environment serves both):\n",
	    ESTEMPLATE_PATTERN, DEFAULT_RETENTION, ESTEMPLATE_MAX_RETENTION);
	conn_usage(f);
	fprintf(f,
"\n"
"Exit status:\n"
"  0  everything is installed (or, with --dry-run, was read)\n"
"  1  the cluster could not be reached or refused a request (the status and\n"
"     its reason are shown)\n"
"  2  bad command line or settings (including an --es-index setup cannot\n"
"     install templates for)\n");
}

/* ---- command line ------------------------------------------------------ */

static int
parse_days(const char *v, unsigned *out)
{
	unsigned long x = 0;

	if (*v == '\0')
		return -1;
	for (; *v != '\0'; v++) {
		if (*v < '0' || *v > '9')
			return -1;
		x = x * 10 + (unsigned long)(*v - '0');
		if (x > ESTEMPLATE_MAX_RETENTION)
			return -1;
	}
	*out = (unsigned)x;
	return 0;
}

/*
 * Take setup's own flags out of ${argv}; the others go, in order, to
 * ${rest} (argv[0] first), for settings_args().  Returns 0, or -1 with a
 * message.
 */
static int
own_flags(struct setup *su, int argc, char **argv, char **rest, int *nrest,
    char *err, size_t cap)
{
	int i, n = 0;

	rest[n++] = argv[0];
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL;

		if (strcmp(a, "--") == 0) {
			while (i < argc)
				rest[n++] = argv[i++];
			break;
		}
		if (strcmp(a, "--print") == 0)
			su->print = 1;
		else if (strcmp(a, "--force") == 0)
			su->force = 1;
		else if (strcmp(a, "--dry-run") == 0)
			su->dry_run = 1;
		else if (strcmp(a, "--create-data-streams") == 0)
			su->create_ds = 1;
		else if (strcmp(a, "--opensearch") == 0)
			su->flavor = ESTEMPLATE_OPENSEARCH;
		else if (strcmp(a, "--elasticsearch") == 0)
			su->flavor = ESTEMPLATE_ELASTICSEARCH;
		else if (strncmp(a, "--retention-days=", 17) == 0)
			v = a + 17;
		else if (strcmp(a, "--retention-days") == 0) {
			if (i + 1 >= argc) {
				snprintf(err, cap, "option '--retention-days' "
				    "needs a value");
				return -1;
			}
			v = argv[++i];
		} else
			rest[n++] = argv[i];
		if (v != NULL && parse_days(v, &su->retention) != 0) {
			snprintf(err, cap, "--retention-days must be a whole "
			    "number from 0 to %d, not '%s'",
			    ESTEMPLATE_MAX_RETENTION, v);
			return -1;
		}
	}
	rest[n] = NULL;
	*nrest = n;
	return 0;
}

/* ---- HTTP ----------------------------------------------------------------- */

static size_t
on_body(char *p, size_t size, size_t nmemb, void *arg)
{
	struct setup *su = arg;

	if (buf_add(&su->resp, p, size * nmemb) != 0)
		return 0;
	return size * nmemb;
}

/* Show the cluster's deprecation and overlap warnings (Warning: headers). */
static size_t
on_header(char *p, size_t size, size_t nmemb, void *arg)
{
	size_t n = size * nmemb;

	(void)arg;
	if (n > 8 && strncasecmp(p, "Warning:", 8) == 0) {
		size_t s = 8, e = n;

		while (s < e && p[s] == ' ')
			s++;
		while (e > s && (p[e - 1] == '\r' || p[e - 1] == '\n'))
			e--;
		fprintf(stderr, "elbship setup: the cluster warns: %.*s\n",
		    (int)(e - s), p + s);
	}
	return n;
}

/* The reason from an error answer: "type: reason", for messages. */
static void
error_reason(const struct buf *resp, char *out, size_t cap)
{
	json_t *root = json_loadb(resp->p ? resp->p : "", resp->len, 0, NULL);
	json_t *e = json_object_get(root, "error");
	json_t *rc = json_array_get(json_object_get(e, "root_cause"), 0);
	const char *t = json_string_value(json_object_get(e, "type"));
	const char *r = json_string_value(json_object_get(e, "reason"));
	const char *m = json_string_value(json_object_get(root, "message"));

	if (r == NULL && rc != NULL) {
		t = json_string_value(json_object_get(rc, "type"));
		r = json_string_value(json_object_get(rc, "reason"));
	}
	if (t != NULL || r != NULL)
		snprintf(out, cap, "%s: %s", t ? t : "error", r ? r : "");
	else if (json_is_string(e))
		snprintf(out, cap, "%s", json_string_value(e));
	else if (m != NULL)	/* AWS's front end: {"message": "..."} */
		snprintf(out, cap, "%.*s", (int)strcspn(m, "\n"), m);
	else if (resp->len > 0)
		snprintf(out, cap, "%.*s", (int)(resp->len < 200 ? resp->len :
		    200), resp->p);
	else
		snprintf(out, cap, "(no body)");
	json_decref(root);
}

/*
 * One request: ${method} ${base}/${path} with ${body} (JSON, or NULL).
 * Returns the HTTP status with the answer in su->resp, or -1 with a
 * message if there was no answer.
 */
static long
request(struct setup *su, const char *method, const char *path,
    const char *body, char *err, size_t cap)
{
	const struct es_config *c = &su->set.es;
	struct curl_slist *h = NULL;
	char *url;
	size_t ul = strlen(su->base) + strlen(path) + 2;
	CURLcode cc;
	long status = 0;

	url = xmalloc(ul);
	snprintf(url, ul, "%s/%s", su->base, path);
	buf_reset(&su->resp);
	su->curlerr[0] = '\0';
	curl_easy_reset(su->easy);
	h = curl_slist_append(h, "Accept: application/json");
	if (body != NULL)
		h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "Expect:");
	es_curl_common(su->easy, c, &h);
	if (c->signer != NULL && c->signer->sign(c->signer->arg, method, url,
	    body ? body : "", body ? strlen(body) : 0, c->signer->content_sha256,
	    &h, err, cap) != 0) {
		curl_slist_free_all(h);
		free(url);
		return -1;
	}
	curl_easy_setopt(su->easy, CURLOPT_URL, url);
	if (strcmp(method, "GET") == 0) {
		curl_easy_setopt(su->easy, CURLOPT_HTTPGET, 1L);
	} else {
		curl_easy_setopt(su->easy, CURLOPT_CUSTOMREQUEST, method);
		curl_easy_setopt(su->easy, CURLOPT_POSTFIELDS, body ? body : "");
		curl_easy_setopt(su->easy, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)(body ? strlen(body) : 0));
	}
	curl_easy_setopt(su->easy, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(su->easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(su->easy, CURLOPT_WRITEDATA, su);
	curl_easy_setopt(su->easy, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(su->easy, CURLOPT_ERRORBUFFER, su->curlerr);
	cc = curl_easy_perform(su->easy);
	curl_slist_free_all(h);
	if (cc != CURLE_OK) {
		snprintf(err, cap, "cannot reach %s: %s", su->base,
		    su->curlerr[0] ? su->curlerr : curl_easy_strerror(cc));
		free(url);
		return -1;
	}
	free(url);
	curl_easy_getinfo(su->easy, CURLINFO_RESPONSE_CODE, &status);
	return status;
}

/* "METHOD path: HTTP status type: reason" for a refused request. */
static void
refused(struct setup *su, const char *method, const char *path, long status,
    char *err, size_t cap)
{
	char reason[400];

	error_reason(&su->resp, reason, sizeof(reason));
	snprintf(err, cap, "%s /%s: HTTP %ld%s: %s", method,
	    path[0] == '/' ? path + 1 : path, status,
	    status == 401 || status == 403 ? " (credentials rejected or "
	    "not allowed)" : "", reason);
}

/* ---- steps ---------------------------------------------------------------- */

static int
detect(struct setup *su, char *err, size_t cap)
{
	char version[64], why[300];
	unsigned major = 0, minor = 0;
	long st = request(su, "GET", "", NULL, err, cap);

	if (st < 0)
		return -1;
	if (st != 200) {
		refused(su, "GET", "", st, err, cap);
		if (st == 403 && strlen(err) + 80 < cap)
			strcat(err, " (to skip this request, give --elasticsearch "
			    "or --opensearch)");
		return -1;
	}
	if (estemplate_detect(su->resp.p, su->resp.len, &su->flavor, version,
	    sizeof(version), why, sizeof(why)) != 0) {
		snprintf(err, cap, "%s: %s", su->base, why);
		return -1;
	}
	if (!su->set.quiet)
		printf("%s %s at %s\n", su->flavor == ESTEMPLATE_OPENSEARCH ?
		    "OpenSearch" : "Elasticsearch", version, su->base);
	/* A pipeline's _meta (where its hash goes) is 7.15's. */
	if (su->flavor == ESTEMPLATE_ELASTICSEARCH && su->set.enrich &&
	    sscanf(version, "%u.%u", &major, &minor) == 2 &&
	    major == 7 && minor < 15) {
		su->set.enrich = 0;
		fprintf(stderr, "elbship setup: warning: Elasticsearch %s: no "
		    "enrichment pipeline (it needs 7.15 or later); documents "
		    "get no source.geo.*, source.as.* or parsed user_agent.*\n",
		    version);
	}
	return 0;
}

static void
report(const struct setup *su, const char *what, const char *name,
    const char *result)
{
	if (!su->set.quiet) {
		printf("%s %s: %s\n", what, name, result);
		fflush(stdout);	/* in order with the cluster's warnings */
	}
}

/* Install one resource unless the cluster has it already. */
static int
install(struct setup *su, const struct estemplate_res *r, char *err,
    size_t cap)
{
	char have[ESTEMPLATE_HASH_LEN + 8];
	enum state s;
	long st;

	st = request(su, "GET", r->path, NULL, err, cap);
	if (st < 0)
		return -1;
	if (st == 404)
		s = ST_MISSING;
	else if (st == 200)
		s = estemplate_installed_hash(r, su->resp.p, su->resp.len, have,
		    sizeof(have)) == 0 && strcmp(have, r->hash) == 0 ?
		    ST_SAME : ST_DIFFERENT;
	else {
		refused(su, "GET", r->path, st, err, cap);
		return -1;
	}
	if (s == ST_SAME && !su->force) {
		report(su, r->what, r->name, "unchanged");
		return 0;
	}
	if (su->dry_run) {
		report(su, r->what, r->name, s == ST_MISSING ?
		    "would be created" : s == ST_SAME ? "unchanged (would be "
		    "rewritten: --force)" : "would be updated");
		return 0;
	}
	st = request(su, "PUT", r->path, r->body, err, cap);
	if (st < 0)
		return -1;
	if (st != 200 && st != 201) {
		refused(su, "PUT", r->path, st, err, cap);
		return -1;
	}
	if (s != ST_SAME)
		su->changed = 1;
	report(su, r->what, r->name, s == ST_MISSING ? "created" :
	    s == ST_SAME ? "rewritten (--force)" : "updated");
	return 0;
}

/* The data stream names for the log types, without duplicates. */
static size_t
stream_names(const struct setup *su, char names[][256])
{
	size_t i, j, n = 0;

	for (i = 0; i < sizeof(lbtype_order) / sizeof(lbtype_order[0]); i++) {
		es_index_name(su->set.es.index, lbtype_order[i], names[n], 256);
		for (j = 0; j < n; j++)
			if (strcmp(names[j], names[n]) == 0)
				break;
		if (j == n)
			n++;
	}
	return n;
}

static int
create_stream(struct setup *su, const char *name, char *err, size_t cap)
{
	char path[400];
	char *esc = curl_easy_escape(su->easy, name, 0);
	long st;
	int l;

	l = snprintf(path, sizeof(path), "_data_stream/%s", esc ? esc : name);
	curl_free(esc);
	if (l < 0 || (size_t)l >= sizeof(path)) {
		snprintf(err, cap, "data stream name too long: %.64s...", name);
		return -1;
	}
	st = request(su, "GET", path, NULL, err, cap);
	if (st < 0)
		return -1;
	if (st == 200) {
		report(su, "data stream", name, "exists");
		su->existed = 1;
		return 0;
	}
	if (st != 404) {
		refused(su, "GET", path, st, err, cap);
		return -1;
	}
	if (su->dry_run) {
		report(su, "data stream", name, "would be created");
		return 0;
	}
	st = request(su, "PUT", path, NULL, err, cap);
	if (st < 0)
		return -1;
	if (st != 200 && st != 201) {
		refused(su, "PUT", path, st, err, cap);
		return -1;
	}
	report(su, "data stream", name, "created");
	return 0;
}

/*
 * Which set --es-index calls for; dated indices are not data streams to
 * create.  Returns 0, or -1 with a message (a usage error: nothing was
 * asked of the cluster yet).  settings_finish() has already refused names
 * Elasticsearch would not take and dated patterns whose template could not
 * coexist with the data stream set or Elasticsearch's own
 * (es_index_check(), estemplate_dated_check()).
 */
static int
index_check(struct setup *su, char *err, size_t cap)
{
	const char *index = su->set.es.index;

	su->dated = es_index_dated(index);
	if (!su->dated)
		return 0;
	es_index_glob(index, su->glob, sizeof(su->glob));
	if (su->create_ds) {
		snprintf(err, cap, "--create-data-streams does not go with a "
		    "dated --es-index ('%s'): those are plain indices, each "
		    "created by the first document written to it", index);
		return -1;
	}
	return 0;
}

static void
opts_of(const struct setup *su, struct estemplate_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->flavor = su->flavor < 0 ? ESTEMPLATE_ELASTICSEARCH : su->flavor;
	o->retention_days = su->retention;
	o->dated_glob = su->dated ? su->glob : NULL;
	o->dead_letter_index = su->set.es.dead_letter_index != NULL ?
	    su->set.es.dead_letter_index : ESTEMPLATE_DEAD_LETTER_NAME;
	o->enrich = su->set.enrich;
}

static int
print_templates(struct setup *su, char *err, size_t cap)
{
	struct estemplate_opts o;
	struct estemplate_set set;
	char *text;

	opts_of(su, &o);
	if (estemplate_build(&o, &set, err, cap) != 0)
		return -1;
	text = estemplate_print(&set, 1);
	estemplate_free(&set);
	if (text == NULL) {
		snprintf(err, cap, "cannot render the templates");
		return -1;
	}
	printf("%s\n", text);
	free(text);
	return 0;
}

/*
 * Warnings about the retention of dated indices, which ILM counts from
 * each index's creation, not from its last document.
 */
static int
dated_retention(struct setup *su, char *err, size_t cap)
{
	const char *index = su->set.es.index;
	long st;

	if (su->flavor != ESTEMPLATE_ELASTICSEARCH)
		return 0;	/* no ILM: nothing is deleted */
	/*
	 * A month's index deleted before the month is over is created again
	 * by its next document: what was in it is gone sooner than the
	 * retention says, and a re-send of it is no longer a duplicate.
	 */
	if (su->retention > 0 && su->retention < 31 &&
	    strstr(index, "{month}") != NULL && strstr(index, "{date}") == NULL)
		fprintf(stderr, "elbship setup: warning: --es-index '%s' with "
		    "--retention-days %u: a month's index is deleted %u days "
		    "after its first document, which can be before the month "
		    "is over (its next document then creates it again, empty); "
		    "use {date} or --retention-days 31 or more\n", index,
		    su->retention, su->retention);
	if (su->retention > 0)
		return 0;
	/*
	 * No retention: the settings name no policy, but indices created
	 * under an earlier setup's elbship-dated keep it (a policy is an
	 * index setting), and setup deletes nothing.
	 */
	st = request(su, "GET", "_ilm/policy/" ESTEMPLATE_DATED_NAME, NULL,
	    err, cap);
	if (st < 0)
		return -1;
	if (st == 200)
		fprintf(stderr, "elbship setup: warning: ILM policy "
		    ESTEMPLATE_DATED_NAME " (from an earlier setup) is left in "
		    "place: indices created with it are still deleted by it; new "
		    "ones get no policy (POST INDEX/_ilm/remove takes it off the "
		    "old ones)\n");
	return 0;
}

static int
run(struct setup *su, char *err, size_t cap)
{
	struct estemplate_opts o;
	struct estemplate_set set;
	char names[LB_NTYPES - 1][256];
	size_t i, n;
	int rc = -1;

	if (su->flavor < 0 && detect(su, err, cap) != 0)
		return -1;
	opts_of(su, &o);
	if (estemplate_build(&o, &set, err, cap) != 0)
		return -1;
	if (su->flavor == ESTEMPLATE_OPENSEARCH && !su->set.quiet)
		printf("OpenSearch has no ILM: no lifecycle policy is installed "
		    "(--retention-days does not apply; use an ISM policy for "
		    "%s)\n", su->dated ? su->glob : ESTEMPLATE_PATTERN);
	if (su->flavor == ESTEMPLATE_OPENSEARCH && su->set.enrich &&
	    !su->set.quiet)
		printf("OpenSearch: no enrichment pipeline is installed (GeoIP "
		    "there is the geospatial plugin's ip2geo processor, with a "
		    "data source you create; --es-pipeline runs a pipeline of "
		    "your own)\n");
	if (su->set.enrich && su->set.es.pipeline != NULL &&
	    su->flavor == ESTEMPLATE_ELASTICSEARCH)
		fprintf(stderr, "elbship setup: warning: --es-pipeline %s "
		    "replaces the default pipeline " ESTEMPLATE_PIPELINE_NAME
		    " for ship's requests: documents are enriched only if %s "
		    "calls it (a pipeline processor)\n", su->set.es.pipeline,
		    su->set.es.pipeline);
	for (i = 0; i < set.n; i++)
		if (install(su, &set.res[i], err, cap) != 0)
			goto out;
	if (su->dated) {
		if (dated_retention(su, err, cap) != 0)
			goto out;
		if (su->changed && !su->set.quiet)
			printf("Existing dated indices keep their settings and "
			    "mappings (a changed ILM policy applies to them too); "
			    "the templates apply to indices created from now on.\n");
		rc = 0;
		goto out;
	}
	n = stream_names(su, names);
	for (i = 0; i < n; i++) {
		if (!estemplate_matches(names[i])) {
			fprintf(stderr, "elbship setup: warning: data stream "
			    "'%s' (from --es-index '%s') does not match %s: "
			    "these templates will not apply to it\n", names[i],
			    su->set.es.index, ESTEMPLATE_PATTERN);
			break;
		}
	}
	if (su->create_ds)
		for (i = 0; i < n; i++)
			if (create_stream(su, names[i], err, cap) != 0)
				goto out;
	if (su->changed && (!su->create_ds || su->existed) && !su->set.quiet)
		printf("Existing data streams get the new mappings at their next "
		    "rollover (POST NAME/_rollover to start one now).\n");
	rc = 0;
out:
	estemplate_free(&set);
	return rc;
}

/*
 * Sign every request with SigV4 for Amazon OpenSearch Service (es) or
 * OpenSearch Serverless (aoss), as ship does.  Both are OpenSearch;
 * Serverless has no GET /, so the flavour is not asked there.
 */
static int
sigv4_setup(struct setup *su, char *err, size_t cap)
{
	struct aws_env env = aws_env_process();

	if (su->set.region != NULL)
		snprintf(su->region, sizeof(su->region), "%s", su->set.region);
	else if (aws_region_load(su->region, sizeof(su->region), &env, err,
	    cap) != 0)
		return -1;
	{
		struct httpsign_creds hc = { aws_provider_get, &su->aws };

		es_use_sigv4(&su->set.es, &su->sigv4, su->region,
		    su->set.es_sigv4, &hc);
	}
	if (strcmp(su->set.es_sigv4, "aoss") == 0 && su->flavor < 0)
		su->flavor = ESTEMPLATE_OPENSEARCH;
	return 0;
}

int
cmd_setup(int argc, char **argv)
{
	struct setup *su;
	char err[1024], **rest;
	int nrest = 0, first = 1, rc = EXIT_OK, r;
	size_t l;

	su = xcalloc(1, sizeof(*su));
	su->flavor = -1;
	su->retention = DEFAULT_RETENTION;
	buf_init(&su->resp, RESP_MAX);
	rest = xcalloc((size_t)argc + 1, sizeof(*rest));
	aws_provider_init(&su->aws);
	settings_init(&su->set);
	if (settings_env(&su->set, err, sizeof(err)) != 0) {
		fprintf(stderr, "elbship setup: %s\n", err);
		rc = EXIT_USAGE;
		goto out;
	}
	if (own_flags(su, argc, argv, rest, &nrest, err, sizeof(err)) != 0) {
		fprintf(stderr, "elbship setup: %s (try 'elbship setup "
		    "--help')\n", err);
		rc = EXIT_USAGE;
		goto out;
	}
	r = settings_args(&su->set, nrest, rest, &first, err, sizeof(err));
	if (r == 1) {
		setup_usage(stdout);
		goto out;
	}
	if (r != 0) {
		fprintf(stderr, "elbship setup: %s (try 'elbship setup "
		    "--help')\n", err);
		rc = EXIT_USAGE;
		goto out;
	}
	if (first < nrest) {
		fprintf(stderr, "elbship setup: unexpected argument '%s' (setup "
		    "takes options only; try 'elbship setup --help')\n",
		    rest[first]);
		rc = EXIT_USAGE;
		goto out;
	}
	if (settings_finish(&su->set, err, sizeof(err)) != 0 ||
	    index_check(su, err, sizeof(err)) != 0) {
		fprintf(stderr, "elbship setup: %s\n", err);
		rc = EXIT_USAGE;
		goto out;
	}
	if (su->print) {
		if (print_templates(su, err, sizeof(err)) != 0) {
			fprintf(stderr, "elbship setup: %s\n", err);
			rc = EXIT_CLUSTER;
		}
		goto out;
	}
	if (su->set.es_url == NULL) {
		fprintf(stderr, "elbship setup: no cluster: give --es URL (or "
		    "ELBSHIP_ES_URL); --print shows the templates without one\n");
		rc = EXIT_USAGE;
		goto out;
	}
	if (strncmp(su->set.es_url, "http://", 7) != 0 &&
	    strncmp(su->set.es_url, "https://", 8) != 0) {
		fprintf(stderr, "elbship setup: the Elasticsearch URL must start "
		    "with http:// or https://\n");
		rc = EXIT_USAGE;
		goto out;
	}
	if (strchr(su->set.es_url, '@') != NULL) {
		fprintf(stderr, "elbship setup: put credentials in "
		    "ELBSHIP_ES_USERNAME / ELBSHIP_ES_PASSWORD or an API key, not "
		    "in the URL (it shows in ps and in logs)\n");
		rc = EXIT_USAGE;
		goto out;
	}
	if (su->set.es_sigv4 != NULL && sigv4_setup(su, err, sizeof(err)) != 0) {
		fprintf(stderr, "elbship setup: %s\n", err);
		rc = EXIT_USAGE;
		goto out;
	}
	l = strlen(su->set.es_url);
	while (l > 0 && su->set.es_url[l - 1] == '/')
		l--;
	su->base = xstrndup(su->set.es_url, l);
	su->easy = curl_easy_init();
	if (su->easy == NULL) {
		fprintf(stderr, "elbship setup: curl_easy_init failed\n");
		rc = EXIT_CLUSTER;
		goto out;
	}
	if (run(su, err, sizeof(err)) != 0) {
		fprintf(stderr, "elbship setup: %s\n", err);
		rc = EXIT_CLUSTER;
	}
out:
	if (su->easy != NULL)
		curl_easy_cleanup(su->easy);
	free(su->base);
	buf_free(&su->resp);
	free(rest);
	settings_free(&su->set);
	aws_provider_free(&su->aws);
	free(su);
	return rc;
}
