/*
 * test_creds.c: credentials, region and endpoint lookup (creds.h) through
 * an injected environment and files in a temporary directory: environment
 * keys and their errors, profiles in the credentials and config files and
 * their precedence, the error texts, the region and endpoint variables,
 * the INI reader's edge cases (comments, `=` in values, nested `s3 =`
 * sub-settings, CRLF ...), the container URL rules (no network: the fetch
 * itself is tested by tests/aws/creds_test.sh), expiry, and that no error
 * message ever holds a secret.
 *
 * Every secret used here contains "Sekrit" or "Tok3n", so one strstr per
 * message proves none leaked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "aws/creds.h"
#include "tap.h"

static char dir[256];
static int nerrs, leaks;

/* ---- A fake environment: NULL-terminated name, value pairs ------------- */

static const char *
fake_get(void *ctx, const char *name)
{
	const char *const *kv = ctx;

	for (; kv[0] != NULL; kv += 2)
		if (strcmp(kv[0], name) == 0)
			return kv[1];
	return NULL;
}

static struct aws_env
fake(const char *const *kv)
{
	struct aws_env e = { fake_get, (void *)(uintptr_t)kv, dir };

	return e;
}

/* Record ${err}: it must hold no secret. */
static void
seen_err(const char *err)
{
	nerrs++;
	if (strstr(err, "Sekrit") != NULL || strstr(err, "Tok3n") != NULL) {
		leaks++;
		printf("# secret in: %s\n", err);
	}
}

/* ---- Files ------------------------------------------------------------- */

static void
put(const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL) {
		perror(path);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
}

static void
rm(const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
}

static void
rm_all(void)
{
	rm(".aws/credentials");
	rm(".aws/config");
	rm("creds2");
	rm("conf2");
	rm("token");
	rm("emptytoken");
}

/* ---- Checks ------------------------------------------------------------ */

/* Load with ${kv}; expect success with these values (NULL token = none). */
static void
load_ok(const char *const *kv, const char *ak, const char *sk,
    const char *tok, const char *source, const char *what)
{
	struct aws_env e = fake(kv);
	struct aws_creds c;
	char err[1024] = "";
	int rc = aws_creds_load(&c, &e, err, sizeof(err));

	if (!ok(rc == 0 && c.access_key != NULL && c.secret_key != NULL &&
	    strcmp(c.access_key, ak) == 0 && strcmp(c.secret_key, sk) == 0 &&
	    (tok == NULL ? c.session_token == NULL : c.session_token != NULL &&
	    strcmp(c.session_token, tok) == 0) && strcmp(c.source, source) == 0 &&
	    c.expires == 0, "%s", what))
		printf("#   rc %d err '%s' ak '%s' source '%s'\n", rc, err,
		    rc == 0 ? c.access_key : "", rc == 0 ? c.source : "");
	if (rc == 0)
		aws_creds_free(&c);
}

/*
 * Load with ${kv}; expect failure with a message holding each of the
 * NULL-terminated strings after ${what}; ${out} must come back zeroed.
 */
static void
load_fail(const char *const *kv, const char *what, ...)
{
	struct aws_env e = fake(kv);
	struct aws_creds c;
	char err[1024] = "";
	const char *want, *missing = NULL;
	va_list ap;
	int rc;

	memset(&c, 0xA5, sizeof(c));
	rc = aws_creds_load(&c, &e, err, sizeof(err));
	va_start(ap, what);
	while ((want = va_arg(ap, const char *)) != NULL)
		if (missing == NULL && strstr(err, want) == NULL)
			missing = want;
	va_end(ap);
	if (!ok(rc == -1 && missing == NULL && c.access_key == NULL &&
	    c.secret_key == NULL && c.session_token == NULL, "%s", what))
		printf("#   rc %d, err '%s', lacks '%s'\n", rc, err,
		    missing ? missing : "");
	seen_err(err);
	if (rc == 0)
		aws_creds_free(&c);
}

static void
region_is(const char *const *kv, const char *want, const char *what)
{
	struct aws_env e = fake(kv);
	char out[64], err[1024] = "";
	int rc = aws_region_load(out, sizeof(out), &e, err, sizeof(err));

	if (!ok(rc == 0 && strcmp(out, want) == 0, "%s", what))
		printf("#   rc %d out '%s' err '%s'\n", rc, rc ? "" : out, err);
}

static void
region_fails(const char *const *kv, size_t cap, const char *want,
    const char *what)
{
	struct aws_env e = fake(kv);
	char out[64], err[1024] = "";
	int rc = aws_region_load(out, cap, &e, err, sizeof(err));

	if (!ok(rc == -1 && strstr(err, want) != NULL, "%s", what))
		printf("#   rc %d err '%s'\n", rc, err);
	seen_err(err);
}

static void
url_is(const char *const *kv, const char *want, const char *what)
{
	struct aws_env e = fake(kv);
	char url[256], err[1024] = "";
	int rc = aws_creds_container_url(&e, url, sizeof(url), err,
	    sizeof(err));

	if (!ok(rc == 0 && strcmp(url, want) == 0, "%s", what))
		printf("#   rc %d url '%s' err '%s'\n", rc, rc ? "" : url, err);
}

static void
url_refused(const char *full, const char *want)
{
	const char *kv[] = { "AWS_CONTAINER_CREDENTIALS_FULL_URI", full, NULL };
	struct aws_env e = fake(kv);
	char url[256], err[1024] = "";
	int rc = aws_creds_container_url(&e, url, sizeof(url), err,
	    sizeof(err));

	if (!ok(rc == -1 && url[0] == '\0' && strstr(err, want) != NULL,
	    "FULL_URI %s refused", full))
		printf("#   rc %d err '%s'\n", rc, err);
	seen_err(err);
}

/* ---- Tests ------------------------------------------------------------- */

static void
test_env(void)
{
	const char *both[] = { "AWS_ACCESS_KEY_ID", "AKIDENV",
	    "AWS_SECRET_ACCESS_KEY", "envSekrit/1+2=", NULL };
	const char *tok[] = { "AWS_ACCESS_KEY_ID", "AKIDENV",
	    "AWS_SECRET_ACCESS_KEY", "envSekrit", "AWS_SESSION_TOKEN",
	    "envTok3n", NULL };
	const char *only_ak[] = { "AWS_ACCESS_KEY_ID", "AKIDENV", NULL };
	const char *only_sk[] = { "AWS_SECRET_ACCESS_KEY", "envSekrit",
	    "AWS_SESSION_TOKEN", "envTok3n", NULL };
	const char *empty_ak[] = { "AWS_ACCESS_KEY_ID", "",
	    "AWS_SECRET_ACCESS_KEY", "envSekrit", NULL };
	const char *empty_tok[] = { "AWS_ACCESS_KEY_ID", "AKIDENV",
	    "AWS_SECRET_ACCESS_KEY", "envSekrit", "AWS_SESSION_TOKEN", "",
	    NULL };

	load_ok(both, "AKIDENV", "envSekrit/1+2=", NULL, "environment",
	    "env: both keys, no token");
	load_ok(tok, "AKIDENV", "envSekrit", "envTok3n", "environment",
	    "env: both keys and AWS_SESSION_TOKEN");
	load_ok(empty_tok, "AKIDENV", "envSekrit", NULL, "environment",
	    "env: empty AWS_SESSION_TOKEN is no token");
	load_fail(only_ak, "env: key id without secret names the secret",
	    "AWS_SECRET_ACCESS_KEY is not", NULL);
	load_fail(only_sk, "env: secret without key id names the key id",
	    "AWS_ACCESS_KEY_ID is not", NULL);
	load_fail(empty_ak, "env: an empty variable counts as unset",
	    "AWS_ACCESS_KEY_ID is not", NULL);
}

static void
test_profiles(void)
{
	const char *none[] = { NULL };
	const char *work[] = { "AWS_PROFILE", "work", NULL };
	const char *cfgonly[] = { "AWS_PROFILE", "cfgonly", NULL };
	const char *both[] = { "AWS_PROFILE", "both", NULL };
	const char *bare[] = { "AWS_PROFILE", "bare", NULL };
	const char *pref[] = { "AWS_PROFILE", "pref", NULL };
	const char *env_and_profile[] = { "AWS_PROFILE", "work",
	    "AWS_ACCESS_KEY_ID", "AKIDENV", "AWS_SECRET_ACCESS_KEY",
	    "envSekrit", NULL };

	put(".aws/credentials",
	    "[default]\n"
	    "aws_access_key_id = AKIDDEF\n"
	    "aws_secret_access_key = defSekrit\n"
	    "\n"
	    "[work]\n"
	    "aws_access_key_id=AKIDWORK\n"
	    "aws_secret_access_key=workSekrit\n"
	    "aws_session_token=workTok3n\n"
	    "[both]\n"
	    "aws_access_key_id = AKIDBOTHCRED\n"
	    "aws_secret_access_key = bothCredSekrit\n"
	    "[profile pref]\n"
	    "aws_access_key_id = AKIDWRONG\n"
	    "aws_secret_access_key = wrongSekrit\n");
	put(".aws/config",
	    "[default]\n"
	    "region = eu-west-1\n"
	    "[profile cfgonly]\n"
	    "aws_access_key_id = AKIDCFG\n"
	    "aws_secret_access_key = cfgSekrit\n"
	    "aws_security_token = cfgTok3n\n"
	    "[profile both]\n"
	    "aws_access_key_id = AKIDBOTHCFG\n"
	    "aws_secret_access_key = bothCfgSekrit\n"
	    "[bare]\n"
	    "aws_access_key_id = AKIDBARE\n"
	    "aws_secret_access_key = bareSekrit\n");

	load_ok(none, "AKIDDEF", "defSekrit", NULL, "profile default",
	    "profile: [default] in the credentials file without AWS_PROFILE");
	load_ok(work, "AKIDWORK", "workSekrit", "workTok3n", "profile work",
	    "profile: AWS_PROFILE=work from [work] in the credentials file");
	load_ok(cfgonly, "AKIDCFG", "cfgSekrit", "cfgTok3n",
	    "profile cfgonly",
	    "profile: [profile cfgonly] in the config file (and "
	    "aws_security_token)");
	load_ok(both, "AKIDBOTHCRED", "bothCredSekrit", NULL, "profile both",
	    "profile: the credentials file wins over the config file");
	load_ok(env_and_profile, "AKIDENV", "envSekrit", NULL, "environment",
	    "precedence: environment keys win over AWS_PROFILE");
	load_fail(bare, "profile: a bare [bare] in the config file is no "
	    "profile", "'bare'", "not found", NULL);
	load_fail(pref, "profile: [profile pref] in the credentials file is "
	    "not profile pref", "'pref'", "not found", NULL);

	/* Default profile from the config file, both spellings. */
	rm(".aws/credentials");
	put(".aws/config",
	    "[default]\n"
	    "aws_access_key_id = AKIDCFGDEF\n"
	    "aws_secret_access_key = cfgDefSekrit\n");
	load_ok(none, "AKIDCFGDEF", "cfgDefSekrit", NULL, "profile default",
	    "profile: [default] in the config file");
	put(".aws/config",
	    "[profile default]\n"
	    "aws_access_key_id = AKIDPDEF\n"
	    "aws_secret_access_key = pDefSekrit\n");
	load_ok(none, "AKIDPDEF", "pDefSekrit", NULL, "profile default",
	    "profile: [profile default] in the config file");
	rm_all();
}

static void
test_paths(void)
{
	char credpath[512], confpath[512];
	const char *vars[] = { "AWS_SHARED_CREDENTIALS_FILE", credpath,
	    "AWS_CONFIG_FILE", confpath, "AWS_PROFILE", "p2", NULL };
	const char *tilde[] = { "AWS_SHARED_CREDENTIALS_FILE", "~/creds2",
	    NULL };
	const char *nohome[] = { "AWS_PROFILE", "x", NULL };
	struct aws_env e = fake(nohome);
	struct aws_creds c;
	char err[1024];
	int rc;

	snprintf(credpath, sizeof(credpath), "%s/creds2", dir);
	snprintf(confpath, sizeof(confpath), "%s/conf2", dir);
	put("conf2", "[profile p2]\naws_access_key_id = AKIDP2\n"
	    "aws_secret_access_key = p2Sekrit\n");
	load_ok(vars, "AKIDP2", "p2Sekrit", NULL, "profile p2",
	    "AWS_CONFIG_FILE names the config file");
	put("creds2", "[default]\naws_access_key_id = AKIDTILDE\n"
	    "aws_secret_access_key = tildeSekrit\n");
	load_ok(tilde, "AKIDTILDE", "tildeSekrit", NULL, "profile default",
	    "AWS_SHARED_CREDENTIALS_FILE with ~/ is under the home directory");
	rm("conf2");
	load_fail(vars, "a missing profile names itself and both files",
	    "AWS profile 'p2' (AWS_PROFILE) not found in", credpath,
	    confpath, NULL);

	/* No home directory at all. */
	e.home = NULL;
	rc = aws_creds_load(&c, &e, err, sizeof(err));
	ok(rc == -1 && strstr(err, "~/.aws/credentials (HOME not set)") &&
	    strstr(err, "~/.aws/config (HOME not set)"),
	    "without HOME the default files are named as such");
	seen_err(err);
	rm_all();
}

static void
test_errors(void)
{
	const char *none[] = { NULL };
	const char *named[] = { "AWS_PROFILE", "nope", NULL };
	const char *role[] = { "AWS_PROFILE", "role", NULL };
	const char *partial[] = { "AWS_PROFILE", "partial", NULL };
	const char *partial2[] = { "AWS_PROFILE", "partial2", NULL };
	char want1[600], want2[600];

	snprintf(want1, sizeof(want1), "%s/.aws/credentials (missing)", dir);
	snprintf(want2, sizeof(want2), "%s/.aws/config (missing)", dir);
	load_fail(none, "nothing anywhere: the one clear error",
	    "no AWS credentials found: set AWS_ACCESS_KEY_ID and "
	    "AWS_SECRET_ACCESS_KEY, AWS_PROFILE (profile 'default' not found "
	    "in ", want1, want2, "or run where the container credentials "
	    "endpoint is available", NULL);
	load_fail(named, "missing named profile: names it and the files",
	    "AWS profile 'nope' (AWS_PROFILE) not found in ", want1, want2,
	    NULL);

	put(".aws/config",
	    "[profile role]\n"
	    "role_arn = arn:aws:iam::123456789012:role/x\n"
	    "source_profile = default\n"
	    "[profile partial]\n"
	    "aws_access_key_id = AKIDPART\n"
	    "[profile partial2]\n"
	    "aws_secret_access_key = partSekrit\n"
	    "aws_session_token = partTok3n\n");
	load_fail(role, "a role_arn profile: not supported, said so",
	    "profile 'role' in ", "has no aws_access_key_id",
	    "role_arn, SSO, web identity and credential_process are not "
	    "supported", NULL);
	load_fail(partial, "a profile with only aws_access_key_id names the "
	    "missing key and file", "AWS profile 'partial' in ",
	    "/.aws/config has aws_access_key_id but no aws_secret_access_key",
	    NULL);
	load_fail(partial2, "a profile with only the secret names the key id",
	    "has aws_secret_access_key but no aws_access_key_id", NULL);
	rm_all();
}

static void
test_ini(void)
{
	const char *p[] = { "AWS_PROFILE", "", NULL };
	const char *noreg[] = { "AWS_PROFILE", "", NULL };
	const char *names[] = { "comments", "spaces", "equals", "inline",
	    "hash", "nested", "crlf", "spaced", "trailer", "repeat", "merged",
	    "indented", "eof" };
	const char *aks[] = { "AKIDC", "AKIDS", "AKIDE", "AKIDI", "AKIDH",
	    "AKIDTOP", "AKIDCRLF", "AKIDSP", "AKIDTR", "AKIDR2", "AKIDM",
	    "AKIDIND", "AKIDEOF" };
	const char *sks[] = { "cSekrit", "sSekrit", "eSekrit==a=b", "iSekrit",
	    "hSek#rit;x", "topSekrit", "crlfSekrit", "spSekrit", "trSekrit",
	    "r2Sekrit", "mSekrit", "indSekrit", "eofSekrit" };
	char src[64];
	size_t i;

	put(".aws/config",
	    "# a comment\n"
	    "; another\n"
	    "[profile comments]\n"
	    "   # an indented comment\n"
	    "aws_access_key_id = AKIDC\n"
	    "; aws_access_key_id = AKIDNOT\n"
	    "#aws_secret_access_key = notSekrit\n"
	    "aws_secret_access_key = cSekrit\n"
	    "[profile spaces]\n"
	    "aws_access_key_id\t=\t  AKIDS  \n"
	    "aws_secret_access_key=sSekrit\n"
	    "[profile equals]\n"
	    "aws_access_key_id = AKIDE\n"
	    "aws_secret_access_key = eSekrit==a=b\n"
	    "[profile inline]\n"
	    "aws_access_key_id = AKIDI # the key id\n"
	    "aws_secret_access_key = iSekrit\t; the secret\n"
	    "[profile hash]\n"
	    "aws_access_key_id = AKIDH\n"
	    "aws_secret_access_key = hSek#rit;x\n"
	    "[profile nested]\n"
	    "s3 =\n"
	    "  aws_access_key_id = AKIDNESTED\n"
	    "  region = us-gov-west-1\n"
	    "  max_concurrent_requests = 20\n"
	    "region = eu-west-3\n"
	    "AWS_ACCESS_KEY_ID = AKIDUPPER\n"
	    "aws_access_key_id = AKIDTOP\n"
	    "unknown_setting = whatever\n"
	    "a line without an equals sign\n"
	    "aws_secret_access_key = topSekrit\n"
	    "[profile crlf]\r\n"
	    "aws_access_key_id = AKIDCRLF\r\n"
	    "aws_secret_access_key = crlfSekrit\r\n"
	    "[  profile \t spaced  ]\n"
	    "aws_access_key_id = AKIDSP\n"
	    "aws_secret_access_key = spSekrit\n"
	    "[profile trailer] # a comment after the section\n"
	    "aws_access_key_id = AKIDTR\n"
	    "aws_secret_access_key = trSekrit\n"
	    "[profile repeat]\n"
	    "aws_access_key_id = AKIDR1\n"
	    "aws_secret_access_key = r1Sekrit\n"
	    "aws_access_key_id = AKIDR2\n"
	    "aws_secret_access_key = r2Sekrit\n"
	    "[profile merged]\n"
	    "aws_access_key_id = AKIDM\n"
	    "[profile other]\n"
	    "aws_secret_access_key = otherSekrit\n"
	    "[profile merged]\n"
	    "aws_secret_access_key = mSekrit\n"
	    "[profile indented]\n"
	    "  aws_access_key_id = AKIDIND\n"
	    "  aws_secret_access_key = indSekrit\n"
	    "[profilex]\n"
	    "aws_access_key_id = AKIDX\n"
	    "aws_secret_access_key = xSekrit\n"
	    "[profile onlynested]\n"
	    "s3 =\n"
	    "    aws_access_key_id = AKIDN\n"
	    "    aws_secret_access_key = nSekrit\n"
	    "[profile emptyval]\n"
	    "aws_access_key_id =\n"
	    "aws_secret_access_key = evSekrit\n"
	    "[profile eof]\n"
	    "aws_access_key_id = AKIDEOF\n"
	    "aws_secret_access_key = eofSekrit");

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		p[1] = names[i];
		snprintf(src, sizeof(src), "profile %s", names[i]);
		load_ok(p, aks[i], sks[i], NULL, src, names[i]);
	}
	p[1] = "x";
	load_fail(p, "ini: [profilex] is not [profile x]", "'x'", "not found",
	    NULL);
	p[1] = "onlynested";
	load_fail(p, "ini: keys nested under `s3 =` are not the profile's",
	    "profile 'onlynested' in ", "has no aws_access_key_id", NULL);
	p[1] = "emptyval";
	load_fail(p, "ini: an empty value counts as absent",
	    "has aws_secret_access_key but no aws_access_key_id", NULL);
	noreg[1] = "nested";
	region_is(noreg, "eu-west-3",
	    "ini: region nested under `s3 =` does not win");
	rm_all();
}

static void
test_region(void)
{
	const char *both[] = { "AWS_REGION", "eu-west-1", "AWS_DEFAULT_REGION",
	    "us-east-2", NULL };
	const char *dflt[] = { "AWS_REGION", "", "AWS_DEFAULT_REGION",
	    "us-east-2", NULL };
	const char *none[] = { NULL };
	const char *prof[] = { "AWS_PROFILE", "far", NULL };
	const char *noprof[] = { "AWS_PROFILE", "nope", NULL };
	const char *bad[] = { "AWS_REGION", "EU West 1", NULL };
	const char *cred_only[] = { "AWS_PROFILE", "credreg", NULL };

	region_is(both, "eu-west-1", "region: AWS_REGION first");
	region_is(dflt, "us-east-2", "region: AWS_DEFAULT_REGION next");
	region_fails(none, 64, "no AWS region: set AWS_REGION or",
	    "region: none anywhere is an error");
	put(".aws/config",
	    "[default]\nregion = sa-east-1\n"
	    "[profile far]\nregion=ap-southeast-2 # Sydney\n"
	    "[profile noreg]\noutput = json\n");
	put(".aws/credentials", "[credreg]\nregion = ca-central-1\n");
	region_is(none, "sa-east-1", "region: [default] in the config file");
	region_is(prof, "ap-southeast-2",
	    "region: the AWS_PROFILE profile in the config file");
	region_is(both, "eu-west-1",
	    "region: AWS_REGION wins over the config file");
	region_fails(noprof, 64, "(no such profile)",
	    "region: a missing profile is said so");
	region_fails(cred_only, 64, "no AWS region",
	    "region: the credentials file is not read for the region");
	region_fails(bad, 64, "AWS_REGION 'EU West 1' is not a region name",
	    "region: a malformed name is refused");
	region_fails(prof, 5, "too long", "region: an output too small fails");
	rm_all();
}

static void
test_endpoint(void)
{
	const char *both[] = { "AWS_ENDPOINT_URL_S3", "http://s3.local:9000",
	    "AWS_ENDPOINT_URL", "http://all.local", NULL };
	const char *all[] = { "AWS_ENDPOINT_URL_S3", "",
	    "AWS_ENDPOINT_URL", "http://all.local", NULL };
	const char *ign[] = { "AWS_ENDPOINT_URL_S3", "http://s3.local:9000",
	    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", NULL };
	const char *none[] = { NULL };
	struct aws_env e;
	const char *v;

	e = fake(both);
	v = aws_endpoint_s3(&e);
	is_str(v, "http://s3.local:9000", "endpoint: AWS_ENDPOINT_URL_S3 first");
	e = fake(all);
	v = aws_endpoint_s3(&e);
	is_str(v, "http://all.local", "endpoint: then AWS_ENDPOINT_URL");
	e = fake(none);
	ok(aws_endpoint_s3(&e) == NULL, "endpoint: NULL if neither is set");
	e = fake(ign);
	ok(aws_endpoint_s3(&e) == NULL,
	    "endpoint: AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true ignores them");
}

static void
test_container_url(void)
{
	const char *rel[] = { "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
	    "/v2/credentials/abc", NULL };
	const char *rel2[] = { "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
	    "v2/x", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
	    "http://127.0.0.1:9/y", NULL };
	const char *none[] = { NULL };
	static const char *const allowed[] = {
		"http://127.0.0.1:8080/creds", "http://127.9.8.7/c",
		"http://localhost:1234/c", "http://169.254.170.2/v1/x",
		"http://169.254.170.23/v1/credentials",
		"http://[fd00:ec2::23]/v1/credentials", "http://[::1]:80/c",
		"https://creds.example.com/x", "HTTP://127.0.0.1/c",
	};
	const char *full[] = { "AWS_CONTAINER_CREDENTIALS_FULL_URI", NULL,
	    NULL };
	char what[256];
	size_t i;

	url_is(none, "", "container URL: none configured");
	url_is(rel, "http://169.254.170.2/v2/credentials/abc",
	    "container URL: RELATIVE_URI goes to 169.254.170.2");
	url_is(rel2, "http://169.254.170.2/v2/x",
	    "container URL: RELATIVE_URI wins over FULL_URI; `/` added");
	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		full[1] = allowed[i];
		snprintf(what, sizeof(what), "FULL_URI %s allowed", allowed[i]);
		url_is(full, allowed[i][0] == 'H' ? "http://127.0.0.1/c" :
		    allowed[i], what);
	}
	url_refused("http://10.0.0.1/creds", "plain http is allowed only");
	url_refused("http://169.254.169.254/latest", "plain http");
	url_refused("http://169.254.170.3/x", "plain http");
	url_refused("http://example.com/creds", "plain http");
	url_refused("http://127.0.0.1.example.com/x", "plain http");
	url_refused("http://169.254.170.2@evil.example/x", "plain http");
	url_refused("http://[fd00:ec2::24]/x", "plain http");
	url_refused("http://[::ffff:10.0.0.1]/x", "plain http");
	url_refused("ftp://127.0.0.1/x", "not http or https");
	url_refused("127.0.0.1:80/x", "is not a valid http or https URL");
	url_refused("http://user:pwSekrit@10.0.0.1/x?q=Tok3n", "refused");
}

static void
test_container_errors(void)
{
	char tokfile[512], emptyfile[512];
	const char *refused[] = { "AWS_CONTAINER_CREDENTIALS_FULL_URI",
	    "http://10.1.2.3/creds", "AWS_CONTAINER_AUTHORIZATION_TOKEN",
	    "Tok3nValue", NULL };
	const char *nofile[] = { "AWS_CONTAINER_CREDENTIALS_FULL_URI",
	    "http://127.0.0.1:9/creds", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
	    tokfile, NULL };
	const char *emptytok[] = { "AWS_CONTAINER_CREDENTIALS_FULL_URI",
	    "http://127.0.0.1:9/creds", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
	    emptyfile, NULL };
	const char *ctl[] = { "AWS_CONTAINER_CREDENTIALS_FULL_URI",
	    "http://127.0.0.1:9/creds", "AWS_CONTAINER_AUTHORIZATION_TOKEN",
	    "Tok3n\r\nX-Injected: 1", NULL };
	const char *profile_then[] = { "AWS_PROFILE", "gone",
	    "AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://10.1.2.3/creds",
	    NULL };

	snprintf(tokfile, sizeof(tokfile), "%s/token", dir);
	snprintf(emptyfile, sizeof(emptyfile), "%s/emptytoken", dir);
	load_fail(refused, "container: a non-loopback http FULL_URI is refused "
	    "before any request", "AWS_CONTAINER_CREDENTIALS_FULL_URI "
	    "http://10.1.2.3/creds refused", NULL);
	load_fail(nofile, "container: an unreadable token file is named",
	    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", tokfile, NULL);
	put("emptytoken", " \n");
	load_fail(emptytok, "container: an empty token file is an error",
	    "is empty", NULL);
	load_fail(ctl, "container: a token with CR LF is refused (no header "
	    "injection)", "control character", NULL);
	load_fail(profile_then, "container: a named missing profile is an "
	    "error before the endpoint", "'gone'", "not found", NULL);
	rm_all();
}

static void
test_expiry(void)
{
	struct aws_creds c;

	memset(&c, 0, sizeof(c));
	ok(!aws_creds_expiring(&c, 1700000000), "expiry: 0 never expires");
	c.expires = 1700000000 + 301;
	ok(!aws_creds_expiring(&c, 1700000000), "expiry: 301 s left is fine");
	c.expires = 1700000000 + 300;
	ok(aws_creds_expiring(&c, 1700000000), "expiry: 300 s left refreshes");
	c.expires = 1700000000 - 1;
	ok(aws_creds_expiring(&c, 1700000000), "expiry: expired refreshes");
	ok(aws_creds_expiring(&c, INT64_MAX), "expiry: no overflow near max");

	memset(&c, 0, sizeof(c));
	aws_creds_free(&c);
	aws_creds_free(&c);
	ok(c.access_key == NULL && c.source[0] == '\0',
	    "free: safe on a zeroed struct, twice");
}

static void
test_process_env(void)
{
	struct aws_env e = aws_env_process();

	ok(e.get != NULL && e.get(e.ctx, "ELBSHIP_CREDS_TEST_UNSET_VAR") == NULL,
	    "aws_env_process: reads the real environment");
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");
	char aws[300];

	curl_global_init(CURL_GLOBAL_DEFAULT);
	snprintf(dir, sizeof(dir), "%s/elbship-creds.XXXXXX",
	    tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(aws, sizeof(aws), "%s/.aws", dir);
	if (mkdir(aws, 0700) != 0) {
		perror(aws);
		return 1;
	}

	test_env();
	test_profiles();
	test_paths();
	test_errors();
	test_ini();
	test_region();
	test_endpoint();
	test_container_url();
	test_container_errors();
	test_expiry();
	test_process_env();
	ok(nerrs > 30 && leaks == 0, "no secret in any of %d error messages",
	    nerrs);

	rm_all();
	rmdir(aws);
	rmdir(dir);
	curl_global_cleanup();
	return tap_done();
}
