/*
 * creds.c: AWS credentials, region and S3 endpoint from the environment,
 * the shared files and the container endpoint.  See creds.h for the order
 * and the contracts.
 *
 * The shared files (https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-files.html)
 * are read as botocore's configparser reads them, with one addition from
 * the SDKs' profile-file rules:
 *   - `[name]` starts a section (text after the first `]` is ignored); in
 *     the config file `[profile NAME]` is profile NAME, `[default]` and
 *     `[profile default]` are the default profile, any other section (sso-
 *     session, services, a bare `[name]`) is no profile; in the credentials
 *     file the section name is the profile name as written.
 *   - `key = value`, split at the first `=` (so values may hold `=`), both
 *     sides trimmed; keys are case-sensitive; unknown keys are ignored, as
 *     are lines without `=`.  A repeated key or section: the last one wins.
 *   - Lines starting (after blanks) with `#` or `;` are comments.  In a
 *     value, `#` or `;` after a blank starts a comment (the SDK rule; the
 *     CLI would keep it in the value, which no key, secret or region can
 *     hold anyway).
 *   - A line indented deeper than the setting above it continues that
 *     setting: this is how the config file nests sub-settings
 *     (`s3 =` then `  max_concurrent_requests = 20`), so such lines are
 *     never read as settings of the profile.
 *
 * Not done (see creds.h): AssumeRole, SSO, web identity, credential_process,
 * IMDS.  The container response body passes through jansson, whose freed
 * memory is not wiped (its allocator hooks are process-global); our own
 * copies of files, tokens and bodies are.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "aws/creds.h"
#include "util/curlx.h"
#include "util/slice.h"
#include "util/xalloc.h"

#define FILE_MAX ((size_t)1 << 20)	/* a shared config or credentials file */
#define TOKEN_MAX ((size_t)16 << 10)	/* an authorization token file */
#define BODY_MAX ((size_t)64 << 10)	/* a container endpoint response */
#define CONTAINER_BASE "http://169.254.170.2"

static void seterr(char *err, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
seterr(char *err, size_t cap, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || cap == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, cap, fmt, ap);
	va_end(ap);
}

/* Wipe and free a NUL-terminated string; NULL is fine. */
static void
free_secret(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

/* ---- Environment ------------------------------------------------------- */

static const char *
process_get(void *ctx, const char *name)
{
	(void)ctx;
	return getenv(name);
}

/**
 * aws_env_process(): see creds.h.
 */
struct aws_env
aws_env_process(void)
{
	struct aws_env e = { process_get, NULL, NULL };

	return e;
}

/* The value of ${name}, or NULL if unset or empty (botocore's rule). */
static const char *
envget(const struct aws_env *env, const char *name)
{
	const char *v = env->get != NULL ? env->get(env->ctx, name) : NULL;

	return v != NULL && v[0] != '\0' ? v : NULL;
}

static const char *
env_home(const struct aws_env *env)
{
	if (env->home != NULL && env->home[0] != '\0')
		return env->home;
	return envget(env, "HOME");
}

/* ---- Files ------------------------------------------------------------- */

/*
 * Read the regular file ${path} whole into a fresh NUL-terminated *${out}
 * of *${n} bytes.  0; 1 if it does not exist; -1 with a message (cannot
 * read it, not a regular file, more than ${max} bytes).  The buffer is
 * sized from fstat and, if the file grows meanwhile, moved by hand with
 * the old copy wiped: no copy of a secret is left in freed memory.
 */
static int
read_whole(const char *path, size_t max, char **out, size_t *n, char *err,
    size_t cap)
{
	struct stat st;
	char *p = NULL, *np;
	size_t len = 0, room;
	ssize_t r;
	int fd, rc = -1;

	*out = NULL;
	*n = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 1;
		seterr(err, cap, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		seterr(err, cap, "cannot read %s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		seterr(err, cap, "cannot read %s: not a regular file", path);
		goto out;
	}
	if ((uintmax_t)st.st_size > max)
		goto toobig;
	/* Room for one byte more than expected tells a file that grew. */
	room = (size_t)st.st_size + 1;
	p = xmalloc(room + 1);
	for (;;) {
		if (len == room) {
			if (room > max)
				goto toobig;
			room = room > max / 2 ? max + 1 : room * 2;
			np = xmalloc(room + 1);
			memcpy(np, p, len);
			explicit_bzero(p, len);
			free(p);
			p = np;
		}
		r = read(fd, p + len, room - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			seterr(err, cap, "cannot read %s: %s", path,
			    strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (len > max)
		goto toobig;
	p[len] = '\0';
	*out = p;
	*n = len;
	p = NULL;
	rc = 0;
	goto out;
toobig:
	seterr(err, cap, "%s is larger than %zu bytes", path, max);
out:
	if (p != NULL) {
		explicit_bzero(p, len);
		free(p);
	}
	close(fd);
	return rc;
}

/* ---- Shared config and credentials files ------------------------------ */

enum { K_AKID, K_SECRET, K_TOKEN, K_TOKEN_OLD, K_REGION, NKEYS };

static const char *const key_names[NKEYS] = {
	"aws_access_key_id", "aws_secret_access_key", "aws_session_token",
	"aws_security_token",	/* botocore's older name for the token */
	"region",
};

/* Ways to get credentials that profiles may use and this module does not. */
static const char *const other_keys[] = {
	"role_arn", "source_profile", "credential_source",
	"credential_process", "sso_session", "sso_start_url",
	"web_identity_token_file",
};

/* One profile as found in one file. */
struct profile {
	int found;			/* the file has a section for it */
	int other;			/* it has one of other_keys */
	struct slice v[NKEYS];		/* into the file text; p NULL = absent */
};

/* One of the two shared files, read for one profile. */
struct shared_file {
	const char *var;		/* AWS_SHARED_CREDENTIALS_FILE ... */
	const char *dflt;		/* "~/.aws/credentials" ... */
	int config;			/* config-file section naming */
	char *path;			/* NULL: `~` needed and HOME unknown */
	int missing;			/* no such file (or no path) */
	char *text;			/* wiped before it is freed */
	size_t n;
	struct profile pr;
};

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int
is_space(char c)
{
	return is_blank(c) || c == '\r' || c == '\n';
}

static struct slice
trim(const char *p, const char *e)
{
	while (p < e && is_blank(*p))
		p++;
	while (e > p && (is_blank(e[-1]) || e[-1] == '\r'))
		e--;
	return slice_make(p, (size_t)(e - p));
}

static int
slice_is(struct slice s, const char *z)
{
	return s.p != NULL && slice_eq(s, z);
}

/* Is section ${name} (trimmed) the profile ${profile}? */
static int
section_is(struct slice name, const char *profile, int config)
{
	struct slice rest;

	if (!config)
		return slice_is(name, profile);
	if (slice_is(name, "default"))
		return strcmp(profile, "default") == 0;
	if (name.n <= 7 || memcmp(name.p, "profile", 7) != 0 ||
	    !is_blank(name.p[7]))
		return 0;
	rest = trim(name.p + 7, name.p + name.n);
	return slice_is(rest, profile);
}

/*
 * Scan the ${n} bytes of ${text} for the settings of ${profile} into
 * ${pr}, whose slices then point into ${text}.  Never fails: lines it
 * cannot read are skipped.
 */
static void
ini_scan(const char *text, size_t n, const char *profile, int config,
    struct profile *pr)
{
	const char *p = text, *end = text + n, *l, *le, *eq, *c;
	size_t indent, open_indent = 0, k;
	int in = 0, open = 0;
	struct slice key, val;

	memset(pr, 0, sizeof(*pr));
	while (p < end) {
		le = memchr(p, '\n', (size_t)(end - p));
		if (le == NULL)
			le = end;
		l = p;
		p = le < end ? le + 1 : end;
		for (indent = 0; l < le && is_blank(*l); l++)
			indent++;
		if (l == le || *l == '\r' || *l == '#' || *l == ';')
			continue;
		/* Deeper than the setting above: its continuation. */
		if (open && indent > open_indent)
			continue;
		if (*l == '[') {
			c = memchr(l, ']', (size_t)(le - l));
			open = 0;
			in = c != NULL &&
			    section_is(trim(l + 1, c), profile, config);
			if (in)
				pr->found = 1;
			continue;
		}
		if ((eq = memchr(l, '=', (size_t)(le - l))) == NULL) {
			open = 0;
			continue;
		}
		open = 1;
		open_indent = indent;
		if (!in)
			continue;
		key = trim(l, eq);
		/* A comment in a value starts with `#` or `;` after a blank. */
		for (c = eq + 1; c < le; c++)
			if ((*c == '#' || *c == ';') && is_blank(c[-1]))
				break;
		val = trim(eq + 1, c);
		for (k = 0; k < NKEYS; k++)
			if (slice_eq(key, key_names[k]))
				pr->v[k] = val.n > 0 ? val : SLICE_NONE;
		for (k = 0; k < sizeof(other_keys) / sizeof(other_keys[0]); k++)
			if (slice_eq(key, other_keys[k]) && val.n > 0)
				pr->other = 1;
	}
}

static void
shared_init(struct shared_file *f, int config)
{
	memset(f, 0, sizeof(*f));
	f->config = config;
	f->var = config ? "AWS_CONFIG_FILE" : "AWS_SHARED_CREDENTIALS_FILE";
	f->dflt = config ? "~/.aws/config" : "~/.aws/credentials";
	f->missing = 1;
}

/* Fill f->path from ${env}: the variable, else the default; `~` expanded. */
static void
shared_path(const struct aws_env *env, struct shared_file *f)
{
	const char *v = envget(env, f->var), *home, *rest;
	size_t n;

	if (v == NULL)
		v = f->dflt;
	if (v[0] != '~' || (v[1] != '/' && v[1] != '\0')) {
		f->path = xstrdup(v);
		return;
	}
	if ((home = env_home(env)) == NULL) {
		f->path = NULL;
		return;
	}
	rest = v + 1;
	n = strlen(home) + strlen(rest) + 1;
	f->path = xmalloc(n);
	snprintf(f->path, n, "%s%s", home, rest);
}

/* Read ${f} (path from ${env}) and find ${profile} in it: 0 or -1. */
static int
shared_load(const struct aws_env *env, struct shared_file *f,
    const char *profile, char *err, size_t cap)
{
	int rc;

	shared_path(env, f);
	f->missing = 1;
	if (f->path == NULL)
		return 0;
	rc = read_whole(f->path, FILE_MAX, &f->text, &f->n, err, cap);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		f->missing = 0;
		ini_scan(f->text, f->n, profile, f->config, &f->pr);
	}
	return 0;
}

static void
shared_free(struct shared_file *f)
{
	if (f->text != NULL) {
		explicit_bzero(f->text, f->n);
		free(f->text);
	}
	free(f->path);
	f->text = f->path = NULL;
	memset(&f->pr, 0, sizeof(f->pr));
}

/* "PATH", "PATH (missing)" or "~/.aws/x (HOME not set)" into ${out}. */
static void
shared_desc(const struct shared_file *f, char *out, size_t cap)
{
	if (f->path == NULL)
		snprintf(out, cap, "%s (HOME not set)", f->dflt);
	else
		snprintf(out, cap, "%s%s", f->path, f->missing ? " (missing)" :
		    "");
}

/* ---- Credentials ------------------------------------------------------- */

static char *
dup_slice(struct slice s)
{
	return s.p != NULL && s.n > 0 ? xstrndup(s.p, s.n) : NULL;
}

/*
 * The keys of profile ${name} as found in ${f}: 0 with ${out} filled, 1 if
 * the profile has neither key, -1 (with a message naming the file and the
 * missing key, never a value) if it has one without the other.
 */
static int
creds_from_profile(struct aws_creds *out, const struct shared_file *f,
    const char *name, char *err, size_t cap)
{
	const struct profile *pr = &f->pr;
	struct slice tok;

	if (!pr->found || (pr->v[K_AKID].p == NULL && pr->v[K_SECRET].p == NULL))
		return 1;
	if (pr->v[K_AKID].p == NULL || pr->v[K_SECRET].p == NULL) {
		seterr(err, cap, "AWS profile '%s' in %s has %s but no %s", name,
		    f->path, key_names[pr->v[K_AKID].p ? K_AKID : K_SECRET],
		    key_names[pr->v[K_AKID].p ? K_SECRET : K_AKID]);
		return -1;
	}
	tok = pr->v[K_TOKEN].p != NULL ? pr->v[K_TOKEN] : pr->v[K_TOKEN_OLD];
	out->access_key = dup_slice(pr->v[K_AKID]);
	out->secret_key = dup_slice(pr->v[K_SECRET]);
	out->session_token = dup_slice(tok);
	out->expires = 0;
	snprintf(out->source, sizeof(out->source), "profile %s", name);
	return 0;
}

/* ---- Container endpoint ------------------------------------------------ */

/* May plain http go to ${host} (as curl gives it: IPv6 in brackets)? */
static int
host_allowed(const char *host)
{
	static const unsigned char eks6[16] = {
		0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x23
	};
	static const unsigned char lo6[16] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1
	};
	unsigned char a[16];
	char h[INET6_ADDRSTRLEN + 1];
	size_t n = strlen(host);

	if (strcasecmp(host, "localhost") == 0)
		return 1;
	if (inet_pton(AF_INET, host, a) == 1)
		return a[0] == 127 || (a[0] == 169 && a[1] == 254 &&
		    a[2] == 170 && (a[3] == 2 || a[3] == 23));
	if (n < 3 || host[0] != '[' || host[n - 1] != ']' || n - 2 >= sizeof(h))
		return 0;
	memcpy(h, host + 1, n - 2);
	h[n - 2] = '\0';
	if (inet_pton(AF_INET6, h, a) != 1)
		return 0;
	return memcmp(a, lo6, 16) == 0 || memcmp(a, eks6, 16) == 0;
}

/* "scheme://host[:port]/path" of ${u}: no user info, query or fragment. */
static void
url_shown(CURLU *u, char *out, size_t cap)
{
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;

	curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
	curl_url_get(u, CURLUPART_HOST, &host, 0);
	curl_url_get(u, CURLUPART_PORT, &port, 0);
	curl_url_get(u, CURLUPART_PATH, &path, 0);
	snprintf(out, cap, "%s://%s%s%s%s", scheme ? scheme : "?",
	    host ? host : "?", port ? ":" : "", port ? port : "",
	    path ? path : "");
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
}

/*
 * The container URL ${env} configures, parsed into *${u} (NULL if none is
 * configured), and shown (see url_shown) in ${shown}.  0, or -1 with a
 * message if it is malformed or not allowed.  The fetch uses this very
 * CURLU, so what was checked is what curl connects to.
 */
static int
container_url(const struct aws_env *env, CURLU **u, char *shown,
    size_t shown_cap, char *err, size_t cap)
{
	const char *rel = envget(env, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = envget(env, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
	const char *var;
	char *url, *scheme = NULL, *host = NULL;
	size_t n;
	int rc = -1;

	*u = NULL;
	if (shown_cap > 0)
		shown[0] = '\0';
	if (rel == NULL && full == NULL)
		return 0;
	if (rel != NULL) {
		var = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
		n = sizeof(CONTAINER_BASE) + strlen(rel) + 1;
		url = xmalloc(n);
		snprintf(url, n, "%s%s%s", CONTAINER_BASE,
		    rel[0] == '/' ? "" : "/", rel);
	} else {
		var = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
		url = xstrdup(full);
	}
	if ((*u = curl_url()) == NULL) {
		seterr(err, cap, "out of memory");
		goto out;
	}
	if (curl_url_set(*u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(*u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(*u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		seterr(err, cap, "%s is not a valid http or https URL", var);
		goto out;
	}
	url_shown(*u, shown, shown_cap);
	if (strcasecmp(scheme, "https") == 0 ||
	    (strcasecmp(scheme, "http") == 0 && host_allowed(host)))
		rc = 0;
	else if (strcasecmp(scheme, "http") == 0)
		seterr(err, cap, "%s %s refused: plain http is allowed only to "
		    "a loopback address, 169.254.170.2, 169.254.170.23 or "
		    "fd00:ec2::23 (use https for any other host)", var, shown);
	else
		seterr(err, cap, "%s %s refused: not http or https", var,
		    shown);
out:
	curl_free(scheme);
	curl_free(host);
	free(url);
	if (rc != 0) {
		curl_url_cleanup(*u);
		*u = NULL;
	}
	return rc;
}

/**
 * aws_creds_container_url(env, url, cap, err, errcap): see creds.h.
 */
int
aws_creds_container_url(const struct aws_env *env, char *url, size_t cap,
    char *err, size_t errcap)
{
	CURLU *u;
	char *s = NULL;
	char shown[512];
	int rc = -1;

	if (cap > 0)
		url[0] = '\0';
	if (container_url(env, &u, shown, sizeof(shown), err, errcap) != 0)
		return -1;
	if (u == NULL)
		return 0;
	if (curl_url_get(u, CURLUPART_URL, &s, 0) != CURLUE_OK)
		seterr(err, errcap, "cannot rebuild the URL %s", shown);
	else if (strlen(s) >= cap)
		seterr(err, errcap, "container credentials URL %s is too long",
		    shown);
	else {
		memcpy(url, s, strlen(s) + 1);
		rc = 0;
	}
	curl_free(s);
	curl_url_cleanup(u);
	return rc;
}

/*
 * The authorization token: the file AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE
 * names (read now: EKS rotates it), else AWS_CONTAINER_AUTHORIZATION_TOKEN.
 * 0 with a fresh *${tok} (NULL if neither is set), or -1 with a message.
 * Blanks and line ends around it are dropped; one left inside would let a
 * token add headers, so control characters are refused.
 */
static int
container_token(const struct aws_env *env, char **tok, char *err, size_t cap)
{
	const char *path = envget(env, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	const char *v = envget(env, "AWS_CONTAINER_AUTHORIZATION_TOKEN");
	const char *what = "AWS_CONTAINER_AUTHORIZATION_TOKEN";
	char *text = NULL;
	size_t n = 0, i;
	struct slice s;
	int rc;

	*tok = NULL;
	if (path != NULL) {
		what = "the token in AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";
		rc = read_whole(path, TOKEN_MAX, &text, &n, err, cap);
		if (rc == 1)
			seterr(err, cap, "cannot read "
			    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE %s: %s",
			    path, strerror(ENOENT));
		if (rc != 0)
			return -1;
		v = text;
	} else if (v == NULL) {
		return 0;
	} else {
		n = strlen(v);
	}
	for (s = slice_make(v, n); s.n > 0 && is_space(s.p[0]); s.n--)
		s.p++;
	while (s.n > 0 && is_space(s.p[s.n - 1]))
		s.n--;
	rc = -1;
	if (s.n == 0) {
		seterr(err, cap, "%s is empty", what);
		goto out;
	}
	for (i = 0; i < s.n; i++) {
		unsigned char c = (unsigned char)s.p[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			seterr(err, cap, "%s holds a control character",
			    what);
			goto out;
		}
	}
	*tok = xstrndup(s.p, s.n);
	rc = 0;
out:
	if (text != NULL) {
		explicit_bzero(text, n);
		free(text);
	}
	return rc;
}

/* The response body, in a buffer that never moves (it holds secrets). */
struct body {
	char *p;
	size_t n;
	int over;
};

static size_t
on_body(char *p, size_t size, size_t nmemb, void *arg)
{
	struct body *b = arg;
	size_t n = size * nmemb;

	if (n > BODY_MAX - b->n) {
		b->over = 1;
		return 0;
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
	return n;
}

static int
isdig(char c)
{
	return (unsigned char)(c - '0') < 10;
}

/* The ${n} digits at ${p} as a number, or -1. */
static int
digits(const char *p, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (!isdig(p[i]))
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; H. Hinnant). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/*
 * An ISO 8601 time as the endpoints write it, "2025-11-03T10:21:07Z", with
 * an optional fraction and `Z` or an offset +HH:MM, into unix seconds.
 */
static int
parse_time(const char *s, int64_t *out)
{
	int y, mo, d, h, mi, se, oh, om, sign;
	const char *p = s + 19;

	if (strlen(s) < 20 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' ||
	    s[16] != ':')
		return -1;
	y = digits(s, 4);
	mo = digits(s + 5, 2);
	d = digits(s + 8, 2);
	h = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	se = digits(s + 17, 2);
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 ||
	    mi < 0 || mi > 59 || se < 0 || se > 60)
		return -1;
	if (*p == '.') {
		for (p++; isdig(*p); p++)
			;
	}
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
	if ((p[0] == 'Z' || p[0] == 'z') && p[1] == '\0')
		return 0;
	if ((p[0] != '+' && p[0] != '-') || strlen(p) != 6 || p[3] != ':')
		return -1;
	sign = p[0] == '+' ? 1 : -1;
	oh = digits(p + 1, 2);
	om = digits(p + 4, 2);
	if (oh < 0 || oh > 23 || om < 0 || om > 59)
		return -1;
	*out -= sign * (oh * 3600 + om * 60);
	return 0;
}

/* A JSON string member of ${o}, or NULL (absent, null, not a string). */
static const char *
jstr(json_t *o, const char *name)
{
	json_t *v = json_object_get(o, name);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/*
 * ` (code X)` from an error body {"code":..,"message":..} if the code is a
 * plain word; nothing else of the body is shown (it could echo a secret).
 */
static void
error_code(const struct body *b, char *out, size_t cap)
{
	json_t *j = json_loadb(b->p, b->n, 0, NULL);
	const char *c = json_is_object(j) ? jstr(j, "code") : NULL;
	size_t i, n = c != NULL ? strlen(c) : 0;

	snprintf(out, cap, "%s", "");
	for (i = 0; i < n; i++)
		if (!(isdig(c[i]) || (c[i] >= 'A' && c[i] <= 'Z') ||
		    (c[i] >= 'a' && c[i] <= 'z') || strchr("_.:-", c[i])))
			break;
	if (n > 0 && n <= 64 && i == n)
		snprintf(out, cap, " (code %s)", c);
	json_decref(j);
}

/* The credentials in a 2xx body: 0, or -1 with a message. */
static int
parse_creds(const struct body *b, const char *shown, struct aws_creds *out,
    char *err, size_t cap)
{
	json_t *j = json_loadb(b->p, b->n, 0, NULL);
	const char *ak, *sk, *tok, *exp;
	int64_t t = 0;
	int rc = -1;

	if (!json_is_object(j)) {
		seterr(err, cap, "container credentials from %s: the response "
		    "is not a JSON object", shown);
		goto out;
	}
	ak = jstr(j, "AccessKeyId");
	sk = jstr(j, "SecretAccessKey");
	tok = jstr(j, "Token");
	exp = jstr(j, "Expiration");
	if (ak == NULL || ak[0] == '\0' || sk == NULL || sk[0] == '\0') {
		seterr(err, cap, "container credentials from %s: the response "
		    "has no %s", shown, ak == NULL || ak[0] == '\0' ?
		    "AccessKeyId" : "SecretAccessKey");
		goto out;
	}
	if (exp != NULL && parse_time(exp, &t) != 0) {
		seterr(err, cap, "container credentials from %s: Expiration "
		    "is not an ISO 8601 time", shown);
		goto out;
	}
	out->access_key = xstrdup(ak);
	out->secret_key = xstrdup(sk);
	out->session_token = tok != NULL && tok[0] != '\0' ? xstrdup(tok) :
	    NULL;
	out->expires = t;
	snprintf(out->source, sizeof(out->source), "container");
	rc = 0;
out:
	json_decref(j);
	return rc;
}

/*
 * GET the container endpoint that ${env} configures: 0 with ${out} filled,
 * 1 if none is configured, -1 with a message.
 */
static int
creds_from_container(struct aws_creds *out, const struct aws_env *env,
    char *err, size_t cap)
{
	CURLU *u = NULL;
	CURL *e = NULL;
	struct curl_slist *hl = NULL;
	struct body b = { NULL, 0, 0 };
	char shown[512], cerr[CURL_ERROR_SIZE], code[96], *tok = NULL,
	    *line = NULL, *scheme = NULL;
	CURLcode cc = CURLE_OK;
	long status = 0;
	size_t n;
	int attempt, rc = -1;

	if (container_url(env, &u, shown, sizeof(shown), err, cap) != 0)
		return -1;
	if (u == NULL)
		return 1;
	if (container_token(env, &tok, err, cap) != 0)
		goto out;
	if ((e = curl_easy_init()) == NULL) {
		seterr(err, cap, "container credentials: cannot start libcurl");
		goto out;
	}
	curlx_apply(e, &(struct curlx_opts){
	    .timeout_ms = AWS_CREDS_TIMEOUT_MS,
	    .connect_timeout_ms = AWS_CREDS_TIMEOUT_MS,
	});
	hl = curl_slist_append(hl, "Accept: application/json");
	if (tok != NULL) {
		n = strlen(tok) + sizeof("Authorization: ");
		line = xmalloc(n);
		snprintf(line, n, "Authorization: %s", tok);
		hl = curl_slist_append(hl, line);
	}
	if (hl == NULL) {
		seterr(err, cap, "out of memory");
		goto out;
	}
	b.p = xmalloc(BODY_MAX);
	curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
	curl_easy_setopt(e, CURLOPT_CURLU, u);
	curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, cerr);
	/* Local endpoints: a proxy could not reach them, and sees the token. */
	if (scheme != NULL && strcasecmp(scheme, "http") == 0)
		curl_easy_setopt(e, CURLOPT_PROXY, "");

	for (attempt = 1; attempt <= AWS_CREDS_ATTEMPTS; attempt++) {
		explicit_bzero(b.p, b.n);
		b.n = 0;
		b.over = 0;
		cerr[0] = '\0';
		status = 0;
		cc = curl_easy_perform(e);
		if (cc == CURLE_OK)
			curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
		if (b.over || (cc == CURLE_OK && status < 500))
			break;
	}
	if (attempt > AWS_CREDS_ATTEMPTS)
		attempt = AWS_CREDS_ATTEMPTS;
	if (b.over) {
		seterr(err, cap, "container credentials from %s: the response "
		    "is larger than %zu bytes", shown, BODY_MAX);
	} else if (cc != CURLE_OK) {
		seterr(err, cap, "container credentials from %s: %s (%d %s)",
		    shown, cerr[0] ? cerr : curl_easy_strerror(cc), attempt,
		    attempt == 1 ? "try" : "tries");
	} else if (status < 200 || status > 299) {
		error_code(&b, code, sizeof(code));
		seterr(err, cap, "container credentials from %s: HTTP %ld%s%s%s",
		    shown, status, code, status == 401 || status == 403 ?
		    (tok != NULL ? "; the authorization token was refused "
		    "(AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE or "
		    "AWS_CONTAINER_AUTHORIZATION_TOKEN)" : "; no authorization "
		    "token was sent (set AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE "
		    "or AWS_CONTAINER_AUTHORIZATION_TOKEN)") : "",
		    status >= 500 ? (attempt == 1 ? " (1 try)" : " (2 tries)") :
		    "");
	} else {
		rc = parse_creds(&b, shown, out, err, cap);
	}
out:
	if (b.p != NULL) {
		explicit_bzero(b.p, b.n);
		free(b.p);
	}
	if (e != NULL)
		curl_easy_cleanup(e);
	curl_slist_free_all(hl);
	curl_url_cleanup(u);
	curl_free(scheme);
	free_secret(line);
	free_secret(tok);
	return rc;
}

/**
 * aws_creds_load(out, env, err, cap): see creds.h.
 */
int
aws_creds_load(struct aws_creds *out, const struct aws_env *env, char *err,
    size_t cap)
{
	struct shared_file cf, ff;
	const struct shared_file *w;
	const char *ak, *sk, *tok, *name;
	char cdesc[300], fdesc[300], why[900];
	int named, r, rc = -1;

	memset(out, 0, sizeof(*out));
	shared_init(&cf, 0);
	shared_init(&ff, 1);
	ak = envget(env, "AWS_ACCESS_KEY_ID");
	sk = envget(env, "AWS_SECRET_ACCESS_KEY");
	if (ak != NULL && sk != NULL) {
		tok = envget(env, "AWS_SESSION_TOKEN");
		out->access_key = xstrdup(ak);
		out->secret_key = xstrdup(sk);
		out->session_token = tok != NULL ? xstrdup(tok) : NULL;
		snprintf(out->source, sizeof(out->source), "environment");
		return 0;
	}
	if (ak != NULL || sk != NULL) {
		seterr(err, cap, "%s is set but %s is not: set both, or neither",
		    ak != NULL ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
		    ak != NULL ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
		return -1;
	}

	name = envget(env, "AWS_PROFILE");
	named = name != NULL;
	if (!named)
		name = "default";
	/* The credentials file first; the config file only if needed. */
	if (shared_load(env, &cf, name, err, cap) != 0)
		goto out;
	if ((r = creds_from_profile(out, &cf, name, err, cap)) <= 0) {
		rc = r;
		goto out;
	}
	if (shared_load(env, &ff, name, err, cap) != 0)
		goto out;
	if ((r = creds_from_profile(out, &ff, name, err, cap)) <= 0) {
		rc = r;
		goto out;
	}
	shared_desc(&cf, cdesc, sizeof(cdesc));
	shared_desc(&ff, fdesc, sizeof(fdesc));
	if (named && !cf.pr.found && !ff.pr.found) {
		seterr(err, cap, "AWS profile '%s' (AWS_PROFILE) not found in "
		    "%s or %s", name, cdesc, fdesc);
		goto out;
	}

	if ((r = creds_from_container(out, env, err, cap)) <= 0) {
		rc = r;
		goto out;
	}
	if (!cf.pr.found && !ff.pr.found)
		snprintf(why, sizeof(why), "profile '%s' not found in %s or %s",
		    name, cdesc, fdesc);
	else {
		/* The file that says most: the one with role_arn etc. */
		w = cf.pr.found && (cf.pr.other || !ff.pr.other) ? &cf : &ff;
		snprintf(why, sizeof(why), "profile '%s' in %s has no "
		    "aws_access_key_id and aws_secret_access_key%s", name,
		    w->path, w->pr.other ? "; role_arn, SSO, web identity and "
		    "credential_process are not supported" : "");
	}
	seterr(err, cap, "no AWS credentials found: set AWS_ACCESS_KEY_ID and "
	    "AWS_SECRET_ACCESS_KEY, AWS_PROFILE (%s), or run where the "
	    "container credentials endpoint is available "
	    "(AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or "
	    "AWS_CONTAINER_CREDENTIALS_FULL_URI)", why);
out:
	shared_free(&cf);
	shared_free(&ff);
	if (rc != 0)
		aws_creds_free(out);
	return rc;
}

/**
 * aws_creds_expiring(c, now): see creds.h.
 */
int
aws_creds_expiring(const struct aws_creds *c, int64_t now)
{
	if (c->expires == 0)
		return 0;
	if (now > INT64_MAX - AWS_CREDS_REFRESH_S)
		return 1;
	return c->expires <= now + AWS_CREDS_REFRESH_S;
}

/**
 * aws_creds_free(c): see creds.h.
 */
void
aws_creds_free(struct aws_creds *c)
{
	free_secret(c->access_key);
	free_secret(c->secret_key);
	free_secret(c->session_token);
	memset(c, 0, sizeof(*c));
}

/* ---- Region and endpoint ----------------------------------------------- */

static int
region_ok(const char *r)
{
	size_t i, n = strlen(r);

	if (n == 0 || n > 63)
		return 0;
	for (i = 0; i < n; i++)
		if (!(isdig(r[i]) || (r[i] >= 'a' && r[i] <= 'z') || r[i] == '-'))
			return 0;
	return 1;
}

/**
 * aws_region_load(out, cap, env, err, errcap): see creds.h.
 */
int
aws_region_load(char *out, size_t cap, const struct aws_env *env, char *err,
    size_t errcap)
{
	struct shared_file ff;
	const char *v, *from, *name;
	char fdesc[300], *fromp = NULL;
	size_t n;
	int rc = -1;

	if (cap > 0)
		out[0] = '\0';
	shared_init(&ff, 1);
	from = "AWS_REGION";
	if ((v = envget(env, "AWS_REGION")) == NULL) {
		from = "AWS_DEFAULT_REGION";
		v = envget(env, "AWS_DEFAULT_REGION");
	}
	if (v == NULL) {
		if ((name = envget(env, "AWS_PROFILE")) == NULL)
			name = "default";
		if (shared_load(env, &ff, name, err, errcap) != 0)
			goto out;
		if (ff.pr.v[K_REGION].p == NULL) {
			shared_desc(&ff, fdesc, sizeof(fdesc));
			seterr(err, errcap, "no AWS region: set AWS_REGION or "
			    "AWS_DEFAULT_REGION, or region in profile '%s' of "
			    "%s%s", name, fdesc, ff.missing ? "" : ff.pr.found ?
			    " (the profile has no region)" :
			    " (no such profile)");
			goto out;
		}
		fromp = dup_slice(ff.pr.v[K_REGION]);
		v = fromp;
		from = "region in the config file";
	}
	n = strlen(v);
	if (!region_ok(v)) {
		seterr(err, errcap, "%s '%.64s' is not a region name (1 to 63 "
		    "of a-z, 0-9 and -)", from, v);
		goto out;
	}
	if (n >= cap) {
		seterr(err, errcap, "region name '%s' is too long", v);
		goto out;
	}
	memcpy(out, v, n + 1);
	rc = 0;
out:
	free(fromp);
	shared_free(&ff);
	return rc;
}

/**
 * aws_endpoint_s3(env): see creds.h.
 */
const char *
aws_endpoint_s3(const struct aws_env *env)
{
	const char *v = envget(env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");

	if (v != NULL && strcasecmp(v, "true") == 0)
		return NULL;
	if ((v = envget(env, "AWS_ENDPOINT_URL_S3")) != NULL)
		return v;
	return envget(env, "AWS_ENDPOINT_URL");
}
