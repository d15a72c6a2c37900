/*
 * sqs.c: SendMessageBatch over the AWS JSON protocol.  See sqs.h.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>

#include "aws/sqs.h"
#include "util/backoff.h"
#include "util/buf.h"
#include "util/curlx.h"
#include "util/clock.h"
#include "util/xalloc.h"

#define RESP_MAX (1u << 20)
#define MAX_INFLIGHT 64

struct entry {
	struct entry *next;		/* in the held list */
	char *body;
	size_t n;
	void *tag;
	unsigned long id;		/* the batch entry Id: "m<id>" */
	unsigned attempts;		/* sends so far */
	int64_t not_before;		/* clock_ms() when it may go again */
};

struct call {
	CURL *easy;
	struct curl_slist *hdrs;
	char *body;
	struct buf resp;
	char query_error[160];		/* x-amzn-query-error */
	struct entry *ents[SQS_BATCH_ENTRIES];
	int n;
	char curlerr[CURL_ERROR_SIZE];
};

struct sqs_client {
	const struct sqs_config *cfg;
	sqs_result_fn fn;
	void *arg;
	char *post_url;			/* endpoint + "/" */
	struct httpsign sign;
	CURLM *multi;
	struct call *calls[MAX_INFLIGHT];
	int ncalls;
	struct entry *head, *tail;	/* held: waiting to be sent */
	size_t held, inflight;		/* entries */
	unsigned long next_id;
	int flushing;
	int stopping;			/* interrupted: no new calls */
	size_t max_bytes;		/* of bodies a call; halved on BatchRequestTooLong */
	int ever_answered;		/* some call got an HTTP answer */
	char *fatal;
	struct backoff bo;		/* the one policy (util/backoff.h) */
	struct sqs_stats st;
};

/* ---- URLs ------------------------------------------------------------------ */

static int
is_region(const char *s, size_t n)
{
	size_t i, dashes = 0;

	if (n < 6 || n > 30 || !isalpha((unsigned char)s[0]))
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '-')
			dashes++;
		else if (!islower((unsigned char)s[i]) &&
		    !isdigit((unsigned char)s[i]))
			return 0;
	}
	return dashes >= 2 && isdigit((unsigned char)s[n - 1]);
}

int
sqs_url_region(const char *url, char *out, size_t cap)
{
	const char *h = strstr(url, "://"), *e, *lab[16];
	size_t len[16], nl = 0, i, hl;

	if (h == NULL)
		return -1;
	h += 3;
	hl = strcspn(h, "/:?");
	e = h + hl;
	/* Split the host into labels. */
	for (const char *p = h; p < e && nl < 16;) {
		const char *d = memchr(p, '.', (size_t)(e - p));

		lab[nl] = p;
		len[nl] = (size_t)((d ? d : e) - p);
		nl++;
		p = d ? d + 1 : e;
	}
	if (!((hl > 14 && strncasecmp(e - 14, ".amazonaws.com", 14) == 0) ||
	    (hl > 17 && strncasecmp(e - 17, ".amazonaws.com.cn", 17) == 0) ||
	    (hl > 8 && strncasecmp(e - 8, ".api.aws", 8) == 0)))
		return -1;
	for (i = 0; i + 1 < nl; i++) {
		/* sqs.REGION.amazonaws.com, vpce-x.sqs.REGION.vpce.amazonaws.com */
		if (len[i] == 3 && memcmp(lab[i], "sqs", 3) == 0 &&
		    is_region(lab[i + 1], len[i + 1]))
			break;
		/* REGION.queue.amazonaws.com (legacy) */
		if (len[i + 1] == 5 && memcmp(lab[i + 1], "queue", 5) == 0 &&
		    is_region(lab[i], len[i])) {
			snprintf(out, cap, "%.*s", (int)len[i], lab[i]);
			return 0;
		}
	}
	if (i + 1 >= nl)
		return -1;
	snprintf(out, cap, "%.*s", (int)len[i + 1], lab[i + 1]);
	return 0;
}

/* ---- outcomes ------------------------------------------------------------------ */

static void
report(struct sqs_client *c, struct entry *e, int ok, const char *why)
{
	c->fn(c->arg, e->tag, ok, why);
	free(e->body);
	free(e);
}

/* Hold ${e} again (at the end), or fail it if its attempts are spent. */
static void
again(struct sqs_client *c, struct entry *e, const char *why)
{

	if (c->fatal != NULL || c->stopping) {
		report(c, e, 0, c->fatal ? c->fatal : "interrupted");
		return;
	}
	if (e->attempts >= c->cfg->retry_attempts) {
		char msg[320];

		snprintf(msg, sizeof(msg), "gave up after %u tries: %.250s",
		    e->attempts, why);
		report(c, e, 0, msg);
		return;
	}
	e->not_before = clock_ms() + backoff_ms(&c->bo, e->attempts);
	e->next = NULL;
	if (c->tail != NULL)
		c->tail->next = e;
	else
		c->head = e;
	c->tail = e;
	c->held++;
	c->st.retried++;
}

/* Fail for good: nothing more is sent; what is held fails now. */
static void
set_fatal(struct sqs_client *c, const char *msg)
{
	struct entry *e;

	if (c->fatal == NULL)
		c->fatal = xstrdup(msg);
	while ((e = c->head) != NULL) {
		c->head = e->next;
		c->held--;
		report(c, e, 0, c->fatal);
	}
	c->tail = NULL;
}

/* ---- calls ------------------------------------------------------------------------- */

static size_t
on_body(char *p, size_t size, size_t nmemb, void *arg)
{
	struct call *k = arg;

	if (buf_add(&k->resp, p, size * nmemb) != 0)
		return 0;
	return size * nmemb;
}

static size_t
on_header(char *p, size_t size, size_t nmemb, void *arg)
{
	struct call *k = arg;
	size_t n = size * nmemb;

	if (n > 19 && strncasecmp(p, "x-amzn-query-error:", 19) == 0) {
		const char *v = p + 19;
		size_t l = n - 19;

		while (l > 0 && (*v == ' ' || *v == '\t'))
			v++, l--;
		while (l > 0 && (v[l - 1] == '\r' || v[l - 1] == '\n' ||
		    v[l - 1] == ' '))
			l--;
		snprintf(k->query_error, sizeof(k->query_error), "%.*s",
		    (int)l, v);
	}
	return n;
}

static void
call_free(struct call *k)
{
	if (k == NULL)
		return;
	if (k->easy != NULL)
		curl_easy_cleanup(k->easy);
	curl_slist_free_all(k->hdrs);
	free(k->body);
	buf_free(&k->resp);
	free(k);
}

/* Take up to 10 entries due now (256 KiB at most) off the held list. */
static int
take_batch(struct sqs_client *c, struct entry **out, int64_t now)
{
	struct entry **pp = &c->head, *e, *prev = NULL;
	size_t bytes = 0;
	int n = 0;

	while ((e = *pp) != NULL && n < SQS_BATCH_ENTRIES) {
		if (e->not_before <= now && (n == 0 ||
		    bytes + e->n <= c->max_bytes)) {
			*pp = e->next;
			if (c->tail == e)
				c->tail = prev;
			c->held--;
			bytes += e->n;
			out[n++] = e;
			continue;
		}
		prev = e;
		pp = &e->next;
	}
	return n;
}

/* Entries due now, up to 10 (is a full batch ready?). */
static int
due(const struct sqs_client *c, int64_t now)
{
	const struct entry *e;
	int n = 0;

	for (e = c->head; e != NULL && n < SQS_BATCH_ENTRIES; e = e->next)
		if (e->not_before <= now)
			n++;
	return n;
}

static int
start_call(struct sqs_client *c, int64_t now)
{
	struct call *k;
	json_t *req, *ents;
	char id[32], err[512];
	int i;

	k = xcalloc(1, sizeof(*k));
	buf_init(&k->resp, RESP_MAX);
	k->n = take_batch(c, k->ents, now);
	if (k->n == 0) {
		call_free(k);
		return 0;
	}
	req = json_object();
	ents = json_array();
	json_object_set_new(req, "QueueUrl", json_string(c->cfg->queue_url));
	for (i = 0; i < k->n; i++) {
		json_t *o = json_object();

		snprintf(id, sizeof(id), "m%lu", k->ents[i]->id);
		json_object_set_new(o, "Id", json_string(id));
		json_object_set_new(o, "MessageBody",
		    json_stringn(k->ents[i]->body, k->ents[i]->n));
		json_array_append_new(ents, o);
		k->ents[i]->attempts++;
	}
	json_object_set_new(req, "Entries", ents);
	k->body = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	k->hdrs = curl_slist_append(k->hdrs,
	    "Content-Type: application/x-amz-json-1.0");
	k->hdrs = curl_slist_append(k->hdrs,
	    "X-Amz-Target: AmazonSQS.SendMessageBatch");
	k->hdrs = curl_slist_append(k->hdrs, "x-amzn-query-mode: true");
	k->hdrs = curl_slist_append(k->hdrs, "Expect:");
	if (k->body == NULL || httpsign_sign(&c->sign, "POST", c->post_url,
	    k->body, strlen(k->body), 0, &k->hdrs, err, sizeof(err)) != 0) {
		char msg[640];

		snprintf(msg, sizeof(msg), "%s", k->body == NULL ?
		    "cannot build the request" : err);
		for (i = 0; i < k->n; i++) {
			k->ents[i]->attempts--;
			k->ents[i]->next = c->head;	/* back, then failed */
			c->head = k->ents[i];
			if (c->tail == NULL)
				c->tail = k->ents[i];
			c->held++;
		}
		k->n = 0;
		call_free(k);
		set_fatal(c, msg);
		return -1;
	}
	k->easy = curl_easy_init();
	curl_easy_setopt(k->easy, CURLOPT_URL, c->post_url);
	curl_easy_setopt(k->easy, CURLOPT_POSTFIELDS, k->body);
	curl_easy_setopt(k->easy, CURLOPT_POSTFIELDSIZE, (long)strlen(k->body));
	curl_easy_setopt(k->easy, CURLOPT_HTTPHEADER, k->hdrs);
	curl_easy_setopt(k->easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(k->easy, CURLOPT_WRITEDATA, k);
	curl_easy_setopt(k->easy, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(k->easy, CURLOPT_HEADERDATA, k);
	curl_easy_setopt(k->easy, CURLOPT_ERRORBUFFER, k->curlerr);
	curl_easy_setopt(k->easy, CURLOPT_PRIVATE, k);
	{
		struct curlx_opts o = { .timeout_ms = c->cfg->timeout_ms,
		    .connect_timeout_ms = c->cfg->timeout_ms < 10000 ?
		    c->cfg->timeout_ms : 10000L, .ca_file = c->cfg->ca_file,
		    .insecure = c->cfg->insecure };

		curlx_apply(k->easy, &o);
	}
	c->inflight += (size_t)k->n;
	c->calls[c->ncalls++] = k;
	curl_multi_add_handle(c->multi, k->easy);
	return 1;
}

/* The error code of an answer: x-amzn-query-error's, else __type's. */
static void
error_code(const struct call *k, json_t *j, char *code, size_t cap,
    const char **msg)
{
	const char *t = json_string_value(json_object_get(j, "__type"));

	*msg = json_string_value(json_object_get(j, "message"));
	if (*msg == NULL)
		*msg = json_string_value(json_object_get(j, "Message"));
	code[0] = '\0';
	if (k->query_error[0] != '\0') {
		snprintf(code, cap, "%.*s", (int)strcspn(k->query_error, ";"),
		    k->query_error);
	} else if (t != NULL) {
		const char *h = strrchr(t, '#');

		snprintf(code, cap, "%s", h ? h + 1 : t);
	}
}

static int
code_in(const char *code, const char *const *set)
{
	for (; *set != NULL; set++)
		if (strcmp(code, *set) == 0)
			return 1;
	return 0;
}

static const char *const throttling[] = {
	"RequestThrottled", "ThrottlingException", "Throttling",
	"ThrottledException", "TooManyRequestsException",
	"RequestLimitExceeded", "SlowDown", "KmsThrottled",
	"RequestThrottledException", NULL
};
static const char *const no_queue[] = {
	"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist",
	"NonExistentQueue", NULL
};
static const char *const denied[] = {
	"AccessDenied", "AccessDeniedException", "KmsAccessDenied", NULL
};
static const char *const badauth[] = {
	"InvalidClientTokenId", "UnrecognizedClientException",
	"SignatureDoesNotMatch", "InvalidSignatureException",
	"IncompleteSignature", "ExpiredToken", "ExpiredTokenException",
	"MissingAuthenticationToken", "InvalidSecurity", NULL
};

/*
 * An answer that is not 200: retry the batch, or fail for good; 1 if the
 * batch was too long for the queue and is to be sent again in smaller
 * calls (not a retry).
 */
static int
on_error_answer(struct sqs_client *c, struct call *k, long status,
    char *why, size_t cap)
{
	json_error_t je;
	json_t *j = json_loadb(k->resp.p ? k->resp.p : "", k->resp.len, 0, &je);
	const char *msg = NULL;
	char code[160], fatal[768];
	const char *q = c->cfg->queue_url;

	error_code(k, j, code, sizeof(code), &msg);
	if (msg == NULL)
		msg = "";
	snprintf(why, cap, "HTTP %ld%s%s%s%.120s", status, code[0] ? " " : "",
	    code, msg[0] ? ": " : "", msg);
	fatal[0] = '\0';
	if (strcmp(code, "AWS.SimpleQueueService.BatchRequestTooLong") == 0 ||
	    strcmp(code, "BatchRequestTooLong") == 0) {
		/*
		 * The queue's MaximumMessageSize is below 256 KiB: smaller
		 * calls; a message alone too long fails alone.
		 */
		size_t bytes = 0;
		int i;

		for (i = 0; i < k->n; i++)
			bytes += k->ents[i]->n;
		json_decref(j);
		if (k->n == 1)
			return 0;
		if (bytes / 2 < c->max_bytes)
			c->max_bytes = bytes / 2 > 0 ? bytes / 2 : 1;
		return 1;
	}
	if (status == 429 || status >= 500 || code_in(code, throttling)) {
		if (status >= 500)
			c->st.server_errors++;
		else
			c->st.throttled++;
	} else if (code_in(code, no_queue)) {
		snprintf(fatal, sizeof(fatal), "queue %s does not exist (%s)%s%s",
		    q, code, c->cfg->endpoint ? " at " : "",
		    c->cfg->endpoint ? c->cfg->endpoint : "");
	} else if (code_in(code, denied)) {
		snprintf(fatal, sizeof(fatal), "access denied to queue %s: the "
		    "credentials need sqs:SendMessage on it (%s: %.200s)", q,
		    code, msg);
	} else if (code_in(code, badauth) && (strstr(msg, "region") ||
	    strstr(msg, "Region"))) {
		snprintf(fatal, sizeof(fatal), "queue %s is not in region %s, "
		    "the region elbship signs for (%s: %.200s); give the "
		    "queue's region with --aws-region", q, c->cfg->region, code,
		    msg);
	} else if (code_in(code, badauth)) {
		snprintf(fatal, sizeof(fatal), "SQS refused the credentials "
		    "(%s: %.200s)", code, msg);
	} else if (code[0] != '\0') {
		snprintf(fatal, sizeof(fatal), "SQS refused SendMessageBatch to "
		    "%s: HTTP %ld %s%s%.200s", q, status, code, msg[0] ? ": " :
		    "", msg);
	} else {
		snprintf(fatal, sizeof(fatal), "%s answered HTTP %ld without an "
		    "AWS error: is it an SQS endpoint?", c->post_url, status);
	}
	json_decref(j);
	if (fatal[0] != '\0')
		set_fatal(c, fatal);
	return 0;
}

/* A 200: settle the entries it names; the others go again. */
static void
on_ok_answer(struct sqs_client *c, struct call *k)
{
	json_error_t je;
	json_t *j = json_loadb(k->resp.p ? k->resp.p : "", k->resp.len, 0, &je);
	json_t *succ = json_object_get(j, "Successful");
	json_t *fail = json_object_get(j, "Failed");
	json_t *x;
	size_t i;
	int n;

	if (j == NULL || (!json_is_array(succ) && !json_is_array(fail))) {
		json_decref(j);
		for (n = 0; n < k->n; n++)
			again(c, k->ents[n], "HTTP 200 without a SendMessageBatch "
			    "result");
		return;
	}
	for (n = 0; n < k->n; n++) {
		struct entry *e = k->ents[n];
		char id[32], why[320];
		int done = 0;

		snprintf(id, sizeof(id), "m%lu", e->id);
		json_array_foreach(succ, i, x) {
			const char *xi = json_string_value(json_object_get(x, "Id"));

			if (xi != NULL && strcmp(xi, id) == 0) {
				report(c, e, 1, NULL);
				done = 1;
				break;
			}
		}
		if (done)
			continue;
		json_array_foreach(fail, i, x) {
			const char *xi = json_string_value(json_object_get(x, "Id"));
			const char *code = json_string_value(json_object_get(x,
			    "Code"));
			const char *msg = json_string_value(json_object_get(x,
			    "Message"));
			int sender = json_is_true(json_object_get(x, "SenderFault"));

			if (xi == NULL || strcmp(xi, id) != 0)
				continue;
			snprintf(why, sizeof(why), "%s%s%.200s", code ? code :
			    "failed", msg ? ": " : "", msg ? msg : "");
			if (sender && !(code && code_in(code, throttling)))
				report(c, e, 0, why);
			else {
				if (code && code_in(code, throttling))
					c->st.throttled++;
				again(c, e, why);
			}
			done = 1;
			break;
		}
		if (!done)
			again(c, e, "not in the SendMessageBatch result");
	}
	json_decref(j);
}

static void
finish_call(struct sqs_client *c, struct call *k, CURLcode res)
{
	long status = 0;
	char why[512];
	int i;

	c->st.calls++;
	c->inflight -= (size_t)k->n;
	curl_easy_getinfo(k->easy, CURLINFO_RESPONSE_CODE, &status);
	if (res != CURLE_OK) {
		snprintf(why, sizeof(why), "%s: %s", c->post_url,
		    k->curlerr[0] ? k->curlerr : curl_easy_strerror(res));
		if (!c->ever_answered && (res == CURLE_COULDNT_CONNECT ||
		    res == CURLE_COULDNT_RESOLVE_HOST ||
		    res == CURLE_COULDNT_RESOLVE_PROXY ||
		    res == CURLE_SSL_CONNECT_ERROR ||
		    res == CURLE_PEER_FAILED_VERIFICATION ||
		    res == CURLE_UNSUPPORTED_PROTOCOL)) {
			char msg[600];

			snprintf(msg, sizeof(msg), "cannot reach SQS at %s",
			    why);
			set_fatal(c, msg);
		} else {
			c->st.broken++;
		}
		for (i = 0; i < k->n; i++)
			again(c, k->ents[i], why);
	} else {
		c->ever_answered = 1;
		if (status == 200) {
			on_ok_answer(c, k);
		} else {
			int split = on_error_answer(c, k, status, why,
			    sizeof(why));

			for (i = 0; i < k->n; i++) {
				if (split) {
					/* Not a retry: the same try, smaller. */
					k->ents[i]->attempts--;
					c->st.retried--;
				} else if (k->n == 1 && strstr(why,
				    "BatchRequestTooLong") != NULL) {
					report(c, k->ents[i], 0, why);
					continue;
				}
				again(c, k->ents[i], why);
			}
		}
	}
	k->n = 0;
}

/* Remove call ${k} from the table and free it. */
static void
drop_call(struct sqs_client *c, struct call *k)
{
	int i;

	curl_multi_remove_handle(c->multi, k->easy);
	for (i = 0; i < c->ncalls; i++)
		if (c->calls[i] == k) {
			c->calls[i] = c->calls[--c->ncalls];
			break;
		}
	call_free(k);
}

/*
 * One round: start the calls that may start, run curl for up to
 * ${wait_ms}, settle what finished.
 */
static void
step(struct sqs_client *c, int wait_ms)
{
	int64_t now = clock_ms(), next = -1;
	const struct entry *e;
	CURLMsg *m;
	int running, left;

	while (c->fatal == NULL && !c->stopping &&
	    c->ncalls < c->cfg->max_inflight && c->head != NULL) {
		int d = due(c, now);

		if (d == 0 || (d < SQS_BATCH_ENTRIES && !c->flushing))
			break;
		if (start_call(c, now) <= 0)
			break;
	}
	/* Wake up for the next entry due. */
	for (e = c->head; e != NULL; e = e->next)
		if (e->not_before > now && (next < 0 || e->not_before < next))
			next = e->not_before;
	if (next >= 0 && next - now < wait_ms)
		wait_ms = (int)(next - now) + 1;
	curl_multi_perform(c->multi, &running);
	if (c->ncalls > 0)
		curl_multi_poll(c->multi, NULL, 0, wait_ms, NULL);
	else if (wait_ms > 0 && c->head != NULL) {
		struct timespec ts = { wait_ms / 1000,
		    (long)(wait_ms % 1000) * 1000000L };

		nanosleep(&ts, NULL);
	}
	curl_multi_perform(c->multi, &running);
	while ((m = curl_multi_info_read(c->multi, &left)) != NULL) {
		struct call *k = NULL;

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&k);
		finish_call(c, k, m->data.result);
		drop_call(c, k);
	}
}

/* ---- the interface ------------------------------------------------------------------ */

struct sqs_client *
sqs_client_new(const struct sqs_config *cfg, sqs_result_fn fn, void *arg,
    char *err, size_t cap)
{
	struct sqs_client *c;
	const char *base = cfg->endpoint ? cfg->endpoint : cfg->queue_url, *h;
	size_t l;

	if (strncmp(cfg->queue_url, "https://", 8) != 0 &&
	    strncmp(cfg->queue_url, "http://", 7) != 0) {
		snprintf(err, cap, "the queue URL must start with https:// "
		    "(https://sqs.REGION.amazonaws.com/ACCOUNT/NAME), not '%s'",
		    cfg->queue_url);
		return NULL;
	}
	if (strncmp(base, "https://", 8) != 0 &&
	    strncmp(base, "http://", 7) != 0) {
		snprintf(err, cap, "the SQS endpoint must start with http:// or "
		    "https://, not '%s'", base);
		return NULL;
	}
	if (strchr(base, '@') != NULL) {
		snprintf(err, cap, "no credentials in the SQS URL, please");
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	c->cfg = cfg;
	c->fn = fn;
	c->arg = arg;
	h = strstr(base, "://") + 3;
	l = (size_t)(h - base) + strcspn(h, "/?#");
	c->post_url = xmalloc(l + 2);
	memcpy(c->post_url, base, l);
	strcpy(c->post_url + l, "/");
	c->sign.region = cfg->region;
	c->sign.service = "sqs";
	c->sign.creds = cfg->creds;
	backoff_init(&c->bo, c->cfg->retry_initial_ms, c->cfg->retry_max_ms);
	c->max_bytes = SQS_BATCH_BYTES;
	c->multi = curl_multi_init();
	if (c->multi == NULL) {
		snprintf(err, cap, "curl_multi_init failed");
		sqs_client_free(c);
		return NULL;
	}
	curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
	    (long)cfg->max_inflight);
	return c;
}

int
sqs_send(struct sqs_client *c, const char *body, void *tag)
{
	struct entry *e;
	size_t limit = (size_t)c->cfg->max_inflight * SQS_BATCH_ENTRIES * 2;

	if (c->fatal != NULL)
		return -1;
	e = xcalloc(1, sizeof(*e));
	e->n = strlen(body);
	e->body = xstrndup(body, e->n);
	e->tag = tag;
	e->id = c->next_id++;
	if (e->n > SQS_BATCH_BYTES) {
		/* It would fit no batch: SQS would refuse it alone too. */
		report(c, e, 0, "message longer than 256 KiB");
		return 0;
	}
	if (c->tail != NULL)
		c->tail->next = e;
	else
		c->head = e;
	c->tail = e;
	c->held++;
	/* Send full batches; wait while too much is held or in flight. */
	step(c, 0);
	while (c->fatal == NULL && c->held + c->inflight > limit)
		step(c, 100);
	return 0;
}

int
sqs_flush(struct sqs_client *c, volatile sig_atomic_t *stop)
{
	struct entry *e;
	int64_t deadline = 0;

	c->flushing = 1;
	while (c->held + c->inflight > 0) {
		if (stop != NULL && *stop && !c->stopping) {
			/*
			 * Interrupted: send nothing more, fail what is held,
			 * but hear the answers to the calls in flight (for a
			 * while), so that what SQS took is known and not sent
			 * again by a resume.
			 */
			c->stopping = 1;
			deadline = clock_ms() + c->cfg->timeout_ms;
			while ((e = c->head) != NULL) {
				c->head = e->next;
				c->held--;
				report(c, e, 0, "interrupted");
			}
			c->tail = NULL;
		}
		if (c->stopping && (c->ncalls == 0 || clock_ms() > deadline))
			break;
		step(c, 100);
	}
	/* Calls still in flight past the deadline are abandoned. */
	while (c->ncalls > 0) {
		struct call *k = c->calls[0];
		int i;

		c->inflight -= (size_t)k->n;
		for (i = 0; i < k->n; i++)
			report(c, k->ents[i], 0, "interrupted");
		k->n = 0;
		drop_call(c, k);
	}
	while ((e = c->head) != NULL) {
		c->head = e->next;
		c->held--;
		report(c, e, 0, c->fatal ? c->fatal : "interrupted");
	}
	c->tail = NULL;
	c->flushing = 0;
	return c->fatal != NULL ? -1 : 0;
}

const char *
sqs_fatal(const struct sqs_client *c)
{
	return c->fatal;
}

void
sqs_stats(const struct sqs_client *c, struct sqs_stats *out)
{
	*out = c->st;
}

void
sqs_client_free(struct sqs_client *c)
{
	struct entry *e;

	if (c == NULL)
		return;
	while (c->ncalls > 0) {
		struct call *k = c->calls[0];
		int i;

		for (i = 0; i < k->n; i++) {
			free(k->ents[i]->body);
			free(k->ents[i]);
		}
		k->n = 0;
		drop_call(c, k);
	}
	while ((e = c->head) != NULL) {
		c->head = e->next;
		free(e->body);
		free(e);
	}
	if (c->multi != NULL)
		curl_multi_cleanup(c->multi);
	free(c->post_url);
	free(c->fatal);
	free(c);
}
