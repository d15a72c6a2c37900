/*
 * estemplate.h: what `elbship setup` installs in Elasticsearch or
 * OpenSearch so that elbship's documents are mapped as docs/fields.md says,
 * and how to tell whether what a cluster has is already that.
 *
 * The resources, in the order they must be installed:
 *
 *   _ilm/policy/elbship                   hot: rollover at 50 GB per
 *                                         primary shard or 30 days; delete
 *                                         after the retention (Elasticsearch
 *                                         only: OpenSearch has ISM instead,
 *                                         which elbship does not manage)
 *   _component_template/elbship-settings  ILM policy, best_compression,
 *                                         ignore_malformed
 *   _component_template/elbship-mappings  an explicit mapping for every
 *                                         field elbship writes
 *   _index_template/elbship               logs-elb.*-*, data streams,
 *                                         priority 200 (over the built-in
 *                                         logs-*-* at 100), composed of the two
 *
 * The bodies are the JSON files in share/es/, compiled in (estemplate_data.c, generated
 * by scripts/gen-templates.sh), adapted here to the flavour (OpenSearch has
 * neither `wildcard` before 2.15 nor `match_only_text` before 2.12, nor
 * ILM) and to the retention.  Each body carries a hash of itself in
 * _meta.elbship_hash; a cluster whose resource has the same hash already
 * has exactly this body, whatever it normalised on the way in (settings as
 * strings, ILM defaults), so setup can say "unchanged" without comparing
 * JSON the cluster rewrote.
 *
 * No I/O here: the HTTP requests are made by the caller (src/cli/setup.c).
 */
#ifndef ELBSHIP_ESTEMPLATE_H
#define ELBSHIP_ESTEMPLATE_H

#include <stddef.h>

/* The pattern the index template matches: elbship's default targets. */
#define ESTEMPLATE_PATTERN "logs-elb.*-*"

/* Longest retention accepted, in days (100 years). */
#define ESTEMPLATE_MAX_RETENTION 36500

/* A data file compiled in (estemplate_data.c); the list ends with NULLs. */
struct estemplate_file {
	const char *name;	/* "mappings.json" */
	const char *json;
};

extern const struct estemplate_file estemplate_files[];

enum estemplate_flavor {
	ESTEMPLATE_ELASTICSEARCH = 0,
	ESTEMPLATE_OPENSEARCH
};

enum estemplate_kind {
	ESTEMPLATE_ILM,		/* _ilm/policy/NAME */
	ESTEMPLATE_COMPONENT,	/* _component_template/NAME */
	ESTEMPLATE_INDEX	/* _index_template/NAME */
};

struct estemplate_opts {
	int flavor;			/* enum estemplate_flavor */
	unsigned retention_days;	/* 0: keep forever (no delete phase) */
};

#define ESTEMPLATE_HASH_LEN 16	/* hex digits of SHA-256 kept */
#define ESTEMPLATE_MAX 4

struct estemplate_res {
	int kind;			/* enum estemplate_kind */
	const char *what;		/* "ILM policy", "component template", ... */
	const char *name;		/* "elbship-mappings" */
	char path[64];			/* "_component_template/elbship-mappings" */
	char *body;			/* the JSON to PUT (owned) */
	char hash[ESTEMPLATE_HASH_LEN + 1];	/* its _meta.elbship_hash */
};

struct estemplate_set {
	struct estemplate_res res[ESTEMPLATE_MAX];
	size_t n;
};

/**
 * estemplate_build(o, out, err, cap): the resources to install for ${o},
 * in installation order, each with its body and hash.  Returns 0, or -1
 * with a message in ${err} (a bad retention, or embedded JSON that does
 * not parse: a build error).  On success free ${out} with estemplate_free().
 */
int estemplate_build(const struct estemplate_opts *o,
    struct estemplate_set *out, char *err, size_t cap);

/**
 * estemplate_print(s, pretty): the bodies of ${s} as one JSON object keyed
 * by path ({"_ilm/policy/elbship": {...}, ...}), for `setup --print`.
 * Returns a string the caller frees, or NULL on allocation failure.
 */
char *estemplate_print(const struct estemplate_set *s, int pretty);

/**
 * estemplate_free(s): free the bodies of ${s}; ${s} is then empty.
 */
void estemplate_free(struct estemplate_set *s);

/**
 * estemplate_installed_hash(r, body, n, out, cap): from the answer to
 * `GET ${r->path}` (${n} bytes at ${body}), the _meta.elbship_hash of the
 * resource named ${r->name}, copied to ${out}.  Returns 0, or -1 if the
 * answer does not hold that resource or the resource has no hash (made by
 * someone else, or by hand): the caller then overwrites it.
 */
int estemplate_installed_hash(const struct estemplate_res *r,
    const char *body, size_t n, char *out, size_t cap);

/**
 * estemplate_detect(body, n, flavor, version, vcap, err, cap): from the
 * answer to `GET /`, which product the cluster is (${flavor}) and its
 * version number (${version}).  Returns 0, or -1 with a message in ${err}
 * if the answer is not a cluster's, or if the cluster is too old for the
 * templates (Elasticsearch before 7.14, OpenSearch before 1.0).
 */
int estemplate_detect(const char *body, size_t n, int *flavor,
    char *version, size_t vcap, char *err, size_t cap);

/**
 * estemplate_matches(index): 1 if the data stream name ${index} matches
 * ESTEMPLATE_PATTERN (so the index template applies to it), else 0.
 */
int estemplate_matches(const char *index);

#endif
