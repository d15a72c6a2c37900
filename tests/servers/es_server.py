#!/usr/bin/env python3
"""es_server.py: an Elasticsearch-compatible test server for elbship.

Strict about what a client sends, faithful in what it answers, with
deterministic fault injection.  Standard library only (Debian 12 python3).

    es_server.py --port 0 --port-file FILE [--host 127.0.0.1]
                 [--tls-cert C --tls-key K [--client-ca CA]]
                 [--auth basic:USER:PASS] [--auth apikey:ENCODED]
                 [--auth sigv4:AKID:SECRET:REGION:es|aoss[:SESSION_TOKEN]]
                 [--version 8.15.0] [--flavor elasticsearch|opensearch]
                 [--no-builtin-templates] [--no-auto-create]
                 [--response-compression auto|on|off]
                 [fault options, see below] [--dump FILE] [--verbose]

Faithful to (sources: elastic docs "Bulk API", BulkRequestParser.java of
elasticsearch 8.x, the reference sheet elasticsearch-logstash.md, observed
responses quoted in elastic/elasticsearch issues):

- HTTP/1.1 with keep-alive; every response has content-length and the
  header `X-elastic-product: Elasticsearch` (the official clients check it);
  header names are lower-case as Netty sends them.  Responses are gzipped
  when the request says `Accept-Encoding: gzip` and TLS is off (ES's
  http.compression default); `--response-compression off` disables that.
- `POST|PUT /_bulk` and `/{target}/_bulk`: NDJSON, action line then source
  line (none for delete); blank lines skipped; `\\r\\n` accepted; the body
  must end with `\\n` ("The bulk request must be terminated by a newline
  [\\\\n]"); action/metadata parse errors use ES's exact reason texts
  ("Malformed action/metadata line [N], expected ...", "Action/metadata
  line [N] contains an unknown parameter [X]").  Items in request order,
  each independent; HTTP 200 with `errors:true` when any item failed.
- Content-Type: `application/x-ndjson`, `application/json` and the
  `application/vnd.elasticsearch+...` forms are accepted (parameters such as
  charset ignored); anything else, or none, is answered like ES: 406
  `{"error":"Content-Type header [X] is not supported","status":406}`.
- `Content-Encoding: gzip|x-gzip|deflate` request bodies are decoded;
  `http.max_content_length` (--max-content-length) applies to the decoded
  size: an identity body whose Content-Length is too big gets 413 with an
  empty body before it is read (417 instead of 100-continue when the client
  sent `Expect: 100-continue`); a compressed body that inflates past the
  limit gets 413, empty body, `connection: close` (logstash-output-
  elasticsearch #937 shows both).
- Storage per index: `create` of an existing _id -> item 409
  `version_conflict_engine_exception` "[ID]: version conflict, document
  already exists (current version [V])"; `index` -> 201 created / 200
  updated with _version+1; `delete` -> 200 deleted / 404 not_found (no
  error object: a 404 delete is not an error); `update` -> partial `doc`
  merge (`doc_as_upsert`, `upsert`), 404 `document_missing_exception`.
  Missing _id -> a generated 20-character id.  _seq_no per index,
  _primary_term 1, _shards {total 2, successful 1, failed 0}.
- Data streams: created by `PUT /_data_stream/NAME` or automatically when
  the target matches an index template with `data_stream: {}` (the highest
  `priority` wins).  ES's built-in `logs` (logs-*-*) and `metrics`
  (metrics-*-*) templates, priority 100, exist unless
  --no-builtin-templates, exactly as on a real cluster: a user template for
  logs-... with a lower priority loses to them.  Only op_type create is
  allowed ("only write ops with an op_type of create are allowed in data
  streams"); a document without `@timestamp` gets 400
  `document_parsing_exception` "[1:N] failed to parse: data stream timestamp
  field [@timestamp] is missing" (with caused_by), an unparsable one a
  "failed to parse field [@timestamp] of type [date]" error; `_index` in
  the item is the current write (backing) index, `.ds-NAME-YYYY.MM.DD-000001`
  until the first rollover.  _id uniqueness is per backing index, as in ES:
  after a rollover, `create` of an _id that only an older backing index
  holds succeeds (201, a second copy in the new write index); `create` of
  an _id already in the write index is still a 409.
- Rollover (TransportRolloverAction / MetadataRolloverService of ES 8.x):
  `POST /{target}/_rollover` and `/{target}/_rollover/{new_index}`, optional
  JSON body `{"conditions":{..}}` (settings/mappings/aliases are parsed and,
  for a data stream, refused as ES does), `?dry_run`, `?wait_for_active_
  shards`, `?timeout`, `?master_timeout`.  A data stream gets a new write
  index `.ds-NAME-yyyy.MM.dd-GENERATION` (today in UTC, generation + 1, the
  next free name); older backing indices keep their documents.  Conditions
  `max_docs`, `max_primary_shard_docs`, `min_docs`, `min_primary_shard_docs`
  (documents in the write index) and `max_age`, `min_age` (since the write
  index was created); met = no conditions, or every min_* and any max_*;
  min_* alone is ES's validation error.  200 `{"acknowledged",
  "shards_acknowledged", "old_index", "new_index", "rolled_over",
  "dry_run", "lazy": false, "conditions": {"[max_docs: 5]": true, ..}}`:
  all three flags true when it rolled over; false (nothing done) for a dry
  run or when no condition is met, new_index then naming the index it
  would create.  ES's 400 illegal_argument_exception reasons: "rollover
  target [X] does not exist" (8.x; 404 only in later versions), "rollover
  target is a [concrete index] but one of [alias,data_stream] was
  expected", "new index name may not be specified when rolling over a data
  stream".  `GET /_data_stream/N` lists every backing index, oldest first,
  and the `generation`; `GET /N` of a data stream shows every backing index.
- JSON is parsed the way ES's Jackson parser is configured: strict UTF-8,
  duplicate keys rejected ("Duplicate field 'x'"), no NaN/Infinity.
- Validation failures use ES's whole-request 400
  `action_request_validation_exception` "Validation Failed: 1: index is
  missing;..." (no _index anywhere), "id is too long...", "script or doc is
  missing".  Unknown query parameters: 400 "request [/_bulk] contains
  unrecognized parameter: [x]".  Invalid index names: item 400
  `invalid_index_name_exception`.  `pipeline=` naming a pipeline that does
  not exist: item 400 "pipeline with id [x] does not exist".
- Ingest pipelines are chosen as ES chooses them, but not run (no
  processor is executed): a create/index item goes through the request's
  pipeline (`?pipeline=` or the action's `pipeline`), else its index's
  `index.default_pipeline`, which an index takes from the template that
  matches it (a backing index: its data stream's name) when it is created;
  `_none` skips that one; then `index.final_pipeline`.  A pipeline so named
  that does not exist fails the item (400, as above).  Each stored document
  records the pipelines it went through: `_pipelines` in `/_test/docs`,
  `docs_by_pipeline` in `/_test/stats`.
- `filter_path`: comma list of dotted patterns, `*` inside a segment, `**`
  for any depth, leading `-` to exclude; arrays are transparent and
  elements left empty are dropped -- so `filter_path=items.*.error` drops
  successful items and item positions no longer match the request; keep
  `items.*.status` in the filter to keep them aligned.  Error responses are
  not filtered (as in ES).
- Auth: Basic and ApiKey -> 401 `security_exception` ("missing
  authentication credentials for REST request [URI]", "unable to
  authenticate user [U] for REST request [URI]") with
  `WWW-Authenticate: Basic realm="security" charset="UTF-8"` and `ApiKey`.
  SigV4 (see sigv4.py) is checked for real; failures are answered the way
  the AWS front end does: 403 `{"message": "The request signature we
  calculated does not match ... The Canonical String for this request
  should have been ..."}` (not a 401 security_exception: that is what
  Amazon OpenSearch Service returns).
- Setup endpoints: `/_index_template/N`, `/_component_template/N`,
  `/_ilm/policy/N`, `/_data_stream/N`, `/_ingest/pipeline/N`, `PUT|HEAD|GET|
  DELETE /{index}`, `GET /{index}/_doc/{id}`, `GET /_cluster/health`; bodies
  validated for their known top-level keys; ES acknowledgements and 404
  shapes (a missing pipeline is a 404 with body `{}`, as ES does).  An
  index template whose `composed_of` names a missing component template is
  rejected; two templates with overlapping patterns and the same priority
  are rejected.

Stricter than ES (each one answered 400 AND recorded in the violations
list, so a test fails loudly):
- `Transfer-Encoding: chunked` on _bulk (ES accepts it; the reference
  sheet says send a Content-Length);
- an action line with more than one key or an unknown action (ES 8 only
  logs a deprecation warning), an action with no source line after it (ES
  silently drops it);
- a Content-Encoding other than gzip/deflate (ES mis-parses zstd silently);
- rollover with a size condition (max_size, max_primary_shard_size,
  min_size, min_primary_shard_size: no Lucene sizes here), `?lazy=true`, or
  an unknown query parameter on _rollover.
Recorded as violations but answered as ES does: a source line that is not
a JSON object (item 400), a wrong Content-Type (406), validation failures.

Simplified: one node, one shard per index, no mappings (documents are
stored as sent), no scripts (a scripted update is an item 400), no
routing, no aliases (`require_alias=true` always fails, as it would with no
alias; so no rollover of an alias either), no date math in index names, no
search, no lazy rollover; rollover docs conditions count documents as if
refreshed; `GET /DS/_doc/ID` of a data stream looks in its write index
only; `_test/*` endpoints are not authenticated.  `--flavor opensearch`
only changes GET / (version.distribution) and drops X-elastic-product.

Fault injection (all deterministic for a given --seed; "bulk request N"
counts every POST/PUT .../_bulk the server receives, from 1, including
those that fail):
  --item-429-rate R   each create/index item attempt fails 429
                      es_rejected_execution_exception with probability R
                      (hash of seed, target, _id and the attempt number for
                      that _id, so a retry can succeed)
  --item-503-rate R   same, 503 unavailable_shards_exception
  --item-400-rate R   hash of seed and _id only: the same document always
                      fails 400 document_parsing_exception (8.8+) /
                      mapper_parsing_exception (--version < 8.8)
  --item-400-index GLOB  only items whose target (index or data stream as
                      named in the request) matches GLOB (fnmatch; default
                      every target) get the 400
  --item-409-ids FILE ids (one a line) that already exist in every index:
                      create -> 409, index -> 200 updated (version 2)
  --request-429-first N  bulk requests 1..N -> whole-request 429
                      circuit_breaking_exception; nothing stored
  --request-503-first N  the N bulk requests after those -> 503
                      cluster_block_exception; nothing stored
  --request-403-after N  every bulk request after the first N -> 403
                      security_exception (a privilege revoked mid-run);
                      nothing stored
  --request-403-count K  with --request-403-after: only the K requests
                      after the first N (then the privilege is back)
  --max-content-length BYTES  see above (default 100mb, as ES)
  --reset-mid-request N   bulk request N: read half the body, then RST
  --reset-mid-response N  bulk request N: store the items, send half of the
                      response bytes, then RST (a retry gets 409s)
  --slow-first N --slow-ms MS  bulk requests 1..N wait MS before being
                      processed; the documents are stored after the wait
                      even if the client has gone (as a real cluster does)
  --down-for-ms MS    bind and write the port file at once, but listen only
                      after MS: connections are refused meanwhile
  --idle-timeout-ms MS  close a keep-alive connection idle for MS
  --hang              a hung cluster: every request but /_test/* is read
                      whole and never answered; the connection is held
                      until the client gives up (stats "hung_requests")
  --item-429-first K  every create/index item's first K attempts (for that
                      target and _id) fail 429: a document needs exactly
                      K+1 sends, whatever splits it went through
  --answer-all STATUS  what a wrong URL meets (a proxy, another service):
                      every request but /_test/* gets STATUS with an HTML
                      body (3xx: a Location to https://; 407:
                      Proxy-Authenticate); nothing is stored
  --answer-bulk STATUS  the same for _bulk requests only (GET / answers as
                      the cluster); 200 then means an HTML page

Introspection (never authenticated):
  GET  /_test/docs[?index=NAME]  NDJSON, one {"_index":TARGET,"_id":..,
                                 "_source":..} per stored doc, insertion
                                 order; data-stream docs (TARGET = the data
                                 stream) add "_backing_index", the backing
                                 index that holds that copy: after a
                                 rollover one _id can appear once per
                                 backing index.  NAME: an index, a data
                                 stream (all its backing indices) or one
                                 backing index
  GET  /_test/stats              JSON counters (see Stats.snapshot;
                                 "rollovers" counts rollovers done;
                                 "max_concurrent_bulk" is the most bulk
                                 requests ever in progress at once, from
                                 the request line to the last response
                                 byte)
  GET  /_test/requests           JSON list, one record per bulk request
                                 (id_bases: the distinct parts of its
                                 documents' ids before their last '-')
  POST /_test/reset              forget everything (docs, templates,
                                 counters, fault numbering)
  --dump FILE: on SIGTERM/SIGINT write the docs NDJSON to FILE and the
  stats to FILE.stats.json before exiting.
"""

import argparse
import base64
import datetime
import fnmatch
import functools
import gzip
import hashlib
import hmac
import http.client
import json
import os
import random
import re
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common                                                   # noqa: E402
import sigv4                                                    # noqa: E402

DEFAULT_MAX_CONTENT_LENGTH = 100 * 1024 * 1024
MAX_ID_BYTES = 512


# ============================================================================
# JSON as ES parses and prints it
# ============================================================================

class StrictJSONError(ValueError):
    pass


def _no_dup_pairs(pairs):
    obj = {}
    for k, v in pairs:
        if k in obj:
            raise StrictJSONError("Duplicate field '%s'" % k)
        obj[k] = v
    return obj


def _no_constant(name):
    raise StrictJSONError("Non-standard token '%s'" % name)


def strict_loads(data):
    """Parse bytes as ES does: UTF-8, duplicate keys and NaN rejected."""
    if isinstance(data, (bytes, bytearray)):
        try:
            data = bytes(data).decode("utf-8")
        except UnicodeDecodeError as e:
            raise StrictJSONError("Invalid UTF-8 byte at offset %d" % e.start)
    try:
        return json.loads(data, object_pairs_hook=_no_dup_pairs,
                          parse_constant=_no_constant)
    except json.JSONDecodeError as e:
        raise StrictJSONError("%s at [%d:%d]" % (e.msg, e.lineno, e.colno))


def dumps(obj, pretty=False):
    if pretty:
        return (json.dumps(obj, indent=2, separators=(",", " : "),
                           ensure_ascii=False) + "\n").encode("utf-8")
    return json.dumps(obj, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


# ============================================================================
# Errors in ES's shapes
# ============================================================================

class EsError(Exception):
    """A whole-request error: {"error":{"root_cause":[..],"type","reason",
    ..},"status":N}."""

    def __init__(self, status, etype, reason, headers=(), violation=False,
                 **extra):
        super().__init__(reason)
        self.status = status
        self.etype = etype
        self.reason = reason
        self.extra = extra
        self.headers = list(headers)
        self.violation = violation

    def body(self):
        cause = {"type": self.etype, "reason": self.reason}
        cause.update(self.extra)
        err = dict(cause)
        err["root_cause"] = [dict(cause)]
        ordered = {"root_cause": err.pop("root_cause")}
        ordered.update(err)
        return {"error": ordered, "status": self.status}


class RawError(Exception):
    """An error whose body is not the standard shape (406, 405, pipeline
    404 `{}`, empty 413, AWS 403 ...)."""

    def __init__(self, status, body, headers=(), close=False,
                 violation=None):
        super().__init__(str(body))
        self.status = status
        self.body = body            # dict, or bytes
        self.headers = list(headers)
        self.close = close
        self.violation = violation


class ItemFailure(Exception):
    def __init__(self, status, error, index=None):
        super().__init__(error.get("reason"))
        self.status = status
        self.error = error
        self.index = index


def item_error(etype, reason, index=None, uuid=None, shard=None,
               caused_by=None, **extra):
    err = {"type": etype, "reason": reason}
    if uuid is not None:
        err["index_uuid"] = uuid
    if shard is not None:
        err["shard"] = shard
    if index is not None:
        err["index"] = index
    err.update(extra)
    if caused_by:
        err["caused_by"] = caused_by
    return err


def validation_error(problems):
    reason = "Validation Failed: " + "".join(
        "%d: %s;" % (i + 1, p) for i, p in enumerate(problems))
    return EsError(400, "action_request_validation_exception", reason,
                   violation=True)


# ============================================================================
# Statistics and the request log
# ============================================================================

class Stats:
    """Thread-safe counters; ``snapshot()`` is what GET /_test/stats shows."""

    MAX_LOG = 20000

    def __init__(self):
        self._lock = threading.Lock()
        self.reset()

    def reset(self):
        with getattr(self, "_lock", threading.Lock()):
            self.counters = {}
            self.maps = {}
            self.violations = []
            self.auth_failures = []
            self.bulk_params = []
            self.requests = []
            self.max_body = 0
            self.max_body_decoded = 0
            self.bulk_in_progress = 0
            self.max_concurrent_bulk = 0

    def inc(self, name, n=1):
        with self._lock:
            self.counters[name] = self.counters.get(name, 0) + n

    def inc_map(self, name, key, n=1):
        with self._lock:
            m = self.maps.setdefault(name, {})
            key = str(key)
            m[key] = m.get(key, 0) + n

    def violation(self, request_no, method, path, reason):
        with self._lock:
            self.violations.append({"request": request_no, "method": method,
                                    "path": path, "reason": reason})

    def auth_failure(self, path, scheme, reason):
        with self._lock:
            self.auth_failures.append({"path": path, "scheme": scheme,
                                       "reason": reason})

    def bulk_started(self):
        with self._lock:
            self.bulk_in_progress += 1
            self.max_concurrent_bulk = max(self.max_concurrent_bulk,
                                           self.bulk_in_progress)

    def bulk_ended(self):
        with self._lock:                # a /_test/reset may come between
            self.bulk_in_progress = max(0, self.bulk_in_progress - 1)

    def body_sizes(self, wire, decoded):
        with self._lock:
            self.max_body = max(self.max_body, wire)
            self.max_body_decoded = max(self.max_body_decoded, decoded)

    def log_request(self, record):
        with self._lock:
            if len(self.requests) < self.MAX_LOG:
                self.requests.append(record)
            if record.get("params") is not None:
                self.bulk_params.append({"request": record["n"],
                                         "params": record["params"]})

    def snapshot(self, server):
        with self._lock:
            snap = dict(self.counters)
            for k in ("requests_total", "bulk_requests", "docs_stored",
                      "gzip_requests", "deflate_requests", "chunked_requests",
                      "expect_100_continue", "hung_requests",
                      "actions_spaced"):
                snap.setdefault(k, 0)
            snap["connections_accepted"] = server.connections.value
            snap["tls_handshake_failures"] = server.tls_failures.value
            for k in ("bulk_responses_by_status", "items_by_status",
                      "items_by_action", "content_types", "content_encodings",
                      "faults_fired", "user_agents", "responses_by_status"):
                snap[k] = dict(self.maps.get(k, {}))
            snap["violations"] = list(self.violations)
            snap["auth_failures"] = list(self.auth_failures)
            snap["bulk_params"] = list(self.bulk_params)
            snap["max_request_body_bytes"] = self.max_body
            snap["max_request_body_decoded_bytes"] = self.max_body_decoded
            snap["bulk_in_progress"] = self.bulk_in_progress
            snap["max_concurrent_bulk"] = self.max_concurrent_bulk
            return snap


# ============================================================================
# Fault plan
# ============================================================================

class FaultPlan:
    """Every fault decision; deterministic given the seed."""

    def __init__(self, args):
        self.seed = args.seed
        self.item_429 = args.item_429_rate
        self.item_503 = args.item_503_rate
        self.item_400 = args.item_400_rate
        self.item_400_index = args.item_400_index
        self.preset_ids = set()
        if args.item_409_ids:
            with open(args.item_409_ids, encoding="utf-8") as f:
                self.preset_ids = {l.strip() for l in f if l.strip()}
        self.req_429 = args.request_429_first
        self.req_503 = args.request_503_first
        self.req_403_after = args.request_403_after
        self.req_403_count = args.request_403_count
        self.item_429_first = args.item_429_first
        self.reset_mid_request = args.reset_mid_request
        self.reset_mid_response = args.reset_mid_response
        self.slow_first = args.slow_first
        self.slow_ms = args.slow_ms

    def _fraction(self, *parts):
        text = "\x1f".join(str(p) for p in (self.seed,) + parts)
        h = hashlib.sha256(text.encode("utf-8")).digest()
        return int.from_bytes(h[:8], "big") / float(1 << 64)

    def whole_request(self, n):
        """'429', '503' or None for bulk request number n."""
        if n <= self.req_429:
            return "429"
        if n <= self.req_429 + self.req_503:
            return "503"
        if (self.req_403_after is not None and n > self.req_403_after and
                (self.req_403_count is None or
                 n <= self.req_403_after + self.req_403_count)):
            return "403"
        return None

    def is_slow(self, n):
        return n <= self.slow_first and self.slow_ms > 0

    def item_fault(self, target, doc_id, attempt):
        if attempt <= self.item_429_first:
            return "429"
        if self.item_429 and self._fraction("429", target, doc_id,
                                            attempt) < self.item_429:
            return "429"
        if self.item_503 and self._fraction("503", target, doc_id,
                                            attempt) < self.item_503:
            return "503"
        if self.item_400 and self._fraction("400", doc_id) < self.item_400 \
                and fnmatch.fnmatchcase(target, self.item_400_index):
            return "400"
        return None


# ============================================================================
# filter_path
# ============================================================================

class FilterPath:
    """ES's filter_path: includes and `-`excludes, `*` and `**`."""

    _DROP = object()

    def __init__(self, spec):
        self.includes, self.excludes = [], []
        for p in spec.split(","):
            p = p.strip()
            if not p:
                continue
            if p.startswith("-"):
                self.excludes.append(p[1:].split("."))
            else:
                self.includes.append(p.split("."))

    @staticmethod
    def _closure(patterns, states):
        out, todo = set(), list(states)
        while todo:
            p, i = todo.pop()
            if (p, i) in out:
                continue
            out.add((p, i))
            if i < len(patterns[p]) and patterns[p][i] == "**":
                todo.append((p, i + 1))
        return out

    def _advance(self, patterns, states, key):
        nxt = set()
        for p, i in states:
            if i >= len(patterns[p]):
                continue
            seg = patterns[p][i]
            if seg == "**":
                nxt.add((p, i))           # ** consumes key, stays
            elif fnmatch.fnmatchcase(key, seg):
                nxt.add((p, i + 1))
        nxt = self._closure(patterns, nxt)
        full = any(i >= len(patterns[p]) for p, i in nxt)
        return nxt, full

    def _include(self, value, states):
        if isinstance(value, dict):
            out = {}
            for k, v in value.items():
                nxt, full = self._advance(self.includes, states, k)
                if full:
                    out[k] = v
                elif nxt:
                    r = self._include(v, nxt)
                    if r is not self._DROP:
                        out[k] = r
            return out if out else self._DROP
        if isinstance(value, list):
            out = [r for r in (self._include(e, states) for e in value)
                   if r is not self._DROP]
            return out if out else self._DROP
        return self._DROP

    def _exclude(self, value, states):
        if isinstance(value, dict):
            out = {}
            for k, v in value.items():
                nxt, full = self._advance(self.excludes, states, k)
                if full:
                    continue
                out[k] = self._exclude(v, nxt) if nxt else v
            return out
        if isinstance(value, list):
            return [self._exclude(e, states) for e in value]
        return value

    def apply(self, obj):
        if self.includes:
            start = self._closure(self.includes,
                                  {(p, 0) for p in range(len(self.includes))})
            obj = self._include(obj, start)
            if obj is self._DROP:
                obj = {}
        if self.excludes:
            start = self._closure(self.excludes,
                                  {(p, 0) for p in range(len(self.excludes))})
            obj = self._exclude(obj, start)
        return obj


# ============================================================================
# Bulk body parsing
# ============================================================================

class BulkAction:
    __slots__ = ("op", "meta", "source", "source_text", "line", "index",
                 "doc_id", "pipeline", "require_alias", "op_key", "spaced")

    def __init__(self, op, meta, line):
        self.op = op
        self.meta = meta
        self.line = line
        self.source = None
        self.source_text = None
        self.spaced = False


class BulkParser:
    """Splits a _bulk body into actions the way BulkRequestParser does and
    raises EsError (400) for everything ES rejects as a whole request."""

    ACTIONS = ("create", "index", "update", "delete")
    META_KEYS = {"_index", "_id", "routing", "op_type", "version",
                 "version_type", "retry_on_conflict", "pipeline", "_source",
                 "if_seq_no", "if_primary_term", "require_alias",
                 "dynamic_templates", "list_executed_pipelines"}

    @staticmethod
    def _bad(reason):
        return EsError(400, "illegal_argument_exception", reason,
                       violation=True)

    def parse(self, data, default_index, default_pipeline, require_alias):
        if not data:
            raise EsError(400, "parse_exception", "request body is required",
                          violation=True)
        if not data.endswith(b"\n"):
            raise self._bad("The bulk request must be terminated by a "
                            "newline [\\n]")
        lines = data.split(b"\n")[:-1]
        actions, problems = [], []
        i, line_no = 0, 0
        while i < len(lines):
            raw = lines[i]
            i += 1
            line_no += 1
            if raw.endswith(b"\r"):
                raw = raw[:-1]
            if not raw.strip():
                continue                    # ES skips empty lines
            try:
                obj = strict_loads(raw)
            except StrictJSONError as e:
                raise EsError(400, "x_content_parse_exception",
                              "[%d:1] Malformed action/metadata line [%d]: %s"
                              % (line_no, line_no, e), violation=True)
            if not isinstance(obj, dict):
                raise self._bad("Malformed action/metadata line [%d], expected "
                                "START_OBJECT but found [%s]"
                                % (line_no, _token_name(obj)))
            if not obj:
                raise self._bad("Malformed action/metadata line [%d], expected "
                                "FIELD_NAME but found [END_OBJECT]" % line_no)
            if len(obj) != 1:
                raise self._bad("Malformed action/metadata line [%d], expected "
                                "END_OBJECT but found [FIELD_NAME] (an action "
                                "object must have exactly one key)" % line_no)
            op, meta = next(iter(obj.items()))
            if op not in self.ACTIONS:
                raise self._bad("Malformed action/metadata line [%d], expected "
                                "field [create], [delete], [index] or [update] "
                                "but found [%s]" % (line_no, op))
            if not isinstance(meta, dict):
                raise self._bad("Malformed action/metadata line [%d], expected "
                                "START_OBJECT or END_OBJECT but found [%s]"
                                % (line_no, _token_name(meta)))
            for k, v in meta.items():
                if k not in self.META_KEYS:
                    raise self._bad("Action/metadata line [%d] contains an "
                                    "unknown parameter [%s]" % (line_no, k))
                if isinstance(v, list):
                    raise self._bad("Malformed action/metadata line [%d], "
                                    "expected a simple value for field [%s] "
                                    "but found [START_ARRAY]" % (line_no, k))
            act = BulkAction(op, meta, line_no)
            # JSON whitespace in the action line (ES reads it as any JSON
            # parser does); counted, so a test can see which form came.
            act.spaced = b" " in raw
            act.index = meta.get("_index", default_index)
            act.doc_id = meta.get("_id")
            if act.doc_id is not None and not isinstance(act.doc_id, str):
                act.doc_id = json.dumps(act.doc_id)
            act.pipeline = meta.get("pipeline", default_pipeline)
            act.require_alias = bool(meta.get("require_alias", require_alias))
            act.op_key = op
            if op == "index" and meta.get("op_type") == "create":
                act.op_key = "create"
            if op != "delete":
                if i >= len(lines):
                    raise self._bad("action [%s] on line [%d] has no source "
                                    "line (ES would silently drop it)"
                                    % (op, line_no))
                src = lines[i]
                i += 1
                line_no += 1
                if src.endswith(b"\r"):
                    src = src[:-1]
                act.source_text = src
                try:
                    act.source = strict_loads(src)
                except StrictJSONError as e:
                    act.source = e
                if op == "update":
                    self._check_update(act, line_no, problems)
            if act.index is None:
                problems.append("index is missing")
            if op in ("update", "delete") and act.doc_id is None:
                problems.append("id is missing")
            if act.doc_id is not None:
                n = len(act.doc_id.encode("utf-8"))
                if n == 0:
                    problems.append("if _id is specified it must not be empty")
                elif n > MAX_ID_BYTES:
                    problems.append("id [%s] is too long, must be no longer "
                                    "than 512 bytes but was: %d"
                                    % (act.doc_id, n))
            actions.append(act)
        if not actions:
            problems.append("no requests added")
        if problems:
            raise validation_error(problems)
        return actions

    @staticmethod
    def _check_update(act, line_no, problems):
        src = act.source
        if isinstance(src, Exception):
            raise EsError(400, "x_content_parse_exception",
                          "[%d:1] %s" % (line_no, src), violation=True)
        if not isinstance(src, dict):
            raise EsError(400, "x_content_parse_exception",
                          "[%d:1] update source must be an object" % line_no,
                          violation=True)
        allowed = {"doc", "script", "upsert", "doc_as_upsert",
                   "scripted_upsert", "detect_noop", "_source", "lang",
                   "params"}
        for k in src:
            if k not in allowed:
                raise EsError(400, "x_content_parse_exception",
                              "[%d:2] [UpdateRequest] unknown field [%s]"
                              % (line_no, k), violation=True)
        if "doc" not in src and "script" not in src:
            problems.append("script or doc is missing")


def _token_name(value):
    if isinstance(value, str):
        return "VALUE_STRING"
    if isinstance(value, bool):
        return "VALUE_BOOLEAN"
    if isinstance(value, (int, float)):
        return "VALUE_NUMBER"
    if value is None:
        return "VALUE_NULL"
    if isinstance(value, list):
        return "START_ARRAY"
    return "START_OBJECT"


# ============================================================================
# Cluster state: indices, documents, data streams, templates, pipelines
# ============================================================================

_INVALID_INDEX_CHARS = ' "*\\<|,>/?#'
_ISO_DATE = re.compile(
    r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})"
    r"(?:[.,](\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?)?)?$")


def index_name_problem(name):
    """ES's MetadataCreateIndexService.validateIndexOrAliasName, roughly."""
    if not name:
        return "must not be empty"
    if name != name.lower():
        return "must be lowercase"
    bad = [c for c in _INVALID_INDEX_CHARS if c in name]
    if bad:
        return ("must not contain the following characters "
                "[ , \", *, \\, <, |, ,, >, /, ?, #]")
    if ":" in name:
        return "must not contain ':'"
    if name[0] in "_-+":
        return "must not start with '_', '-', or '+'"
    if name in (".", ".."):
        return "must not be '.' or '..'"
    if len(name.encode("utf-8")) > 255:
        return "index name is too long, (%d > 255)" % len(name.encode())
    return None


def valid_es_date(value):
    """strict_date_optional_time||epoch_millis."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    if not isinstance(value, str):
        return False
    if re.fullmatch(r"-?\d+(\.\d+)?", value) and len(value) > 8:
        return True                                   # epoch_millis
    m = _ISO_DATE.match(value)
    if not m:
        return False
    y, mo, d, h, mi, s = (int(x) if x else None for x in m.groups()[:6])
    try:
        datetime.datetime(y, mo or 1, d or 1, h or 0, mi or 0, s or 0)
    except ValueError:
        return False
    return True


@functools.lru_cache(maxsize=4096)
def globs_overlap(a, b):
    """True when some string matches both wildcard patterns (* only)."""

    @functools.lru_cache(maxsize=None)
    def go(i, j):
        if i == len(a) and j == len(b):
            return True
        if i < len(a) and a[i] == "*":
            return go(i + 1, j) or (j < len(b) and go(i, j + 1))
        if j < len(b) and b[j] == "*":
            return go(i, j + 1) or (i < len(a) and go(i + 1, j))
        return i < len(a) and j < len(b) and a[i] == b[j] and go(i + 1, j + 1)

    return go(0, 0)


def deep_merge(base, patch):
    out = dict(base)
    for k, v in patch.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = v
    return out


def first_leaf(obj, prefix=""):
    """(dotted field name, value) of the first scalar in a document."""
    for k, v in obj.items():
        name = prefix + k
        if isinstance(v, dict):
            r = first_leaf(v, name + ".")
            if r:
                return r
        elif k != "@timestamp":
            return name, v
    return None


class Index:
    def __init__(self, name, uuid, data_stream=None, body=None):
        self.name = name
        self.uuid = uuid
        self.data_stream = data_stream
        self.docs = {}                      # _id -> [source, version, seq_no,
                                            #         pipelines run]
        self.seq_no = -1
        self.body = body or {}
        self.settings = {}                  # flattened, from its template
        self.created = time.time()          # index.creation_date (max_age)

    def next_seq_no(self):
        self.seq_no += 1
        return self.seq_no


class DataStream:
    """Backing indices oldest first; the last one is the write index.
    `generation` counts up with every rollover, from 1."""

    def __init__(self, name, template_name, first_index):
        self.name = name
        self.template_name = template_name
        self.indices = [first_index]
        self.generation = 1

    @property
    def write_index(self):
        return self.indices[-1]

    def describe(self, settings):
        ilm = flatten(settings or {}).get("index.lifecycle.name")
        d = {"name": self.name, "timestamp_field": {"name": "@timestamp"},
             "indices": [{"index_name": i.name, "index_uuid": i.uuid}
                         for i in self.indices],
             "generation": self.generation, "status": "GREEN",
             "template": self.template_name, "hidden": False,
             "system": False, "allow_custom_routing": False,
             "replicated": False}
        if ilm:
            d["ilm_policy"] = ilm
        return d


def flatten(obj, prefix=""):
    """{"index": {"lifecycle": {"name": x}}} -> {"index.lifecycle.name": x}"""
    out = {}
    for k, v in obj.items():
        if isinstance(v, dict):
            out.update(flatten(v, prefix + k + "."))
        else:
            out[prefix + k] = v
    return out


BUILTIN_TEMPLATES = {
    "logs": {"index_patterns": ["logs-*-*"], "priority": 100,
             "data_stream": {"hidden": False, "allow_custom_routing": False},
             "composed_of": [], "allow_auto_create": True,
             "_meta": {"description": "default logs template installed by "
                                      "x-pack", "managed": True}},
    "metrics": {"index_patterns": ["metrics-*-*"], "priority": 100,
                "data_stream": {"hidden": False,
                                "allow_custom_routing": False},
                "composed_of": [], "allow_auto_create": True,
                "_meta": {"description": "default metrics template installed"
                                         " by x-pack", "managed": True}},
}


class Cluster:
    """All state, behind one lock.  Bulk requests run under the lock as a
    whole, so item outcomes do not depend on thread interleaving."""

    def __init__(self, opts, faults, stats):
        self.opts = opts
        self.faults = faults
        self.stats = stats
        self.lock = threading.RLock()
        self.reset()

    def reset(self):
        with self.lock:
            self.rng = random.Random(self.opts.seed)
            self.indices = {}
            self.data_streams = {}
            self.index_templates = {}
            self.builtin = set()
            if not self.opts.no_builtin_templates:
                for name, t in BUILTIN_TEMPLATES.items():
                    self.index_templates[name] = json.loads(json.dumps(t))
                    self.builtin.add(name)
            self.component_templates = {}
            self.ilm_policies = {}
            self.pipelines = {}
            self.order = {}                 # (index name, _id) -> None
            self.attempts = {}
            self.preset_hits = set()

    # ---- helpers -----------------------------------------------------------

    def new_uuid(self):
        return base64.urlsafe_b64encode(self.rng.randbytes(16)).decode()[:22]

    def new_doc_id(self):
        return base64.urlsafe_b64encode(self.rng.randbytes(15)).decode()

    def match_template(self, name):
        best = None
        for tname, t in self.index_templates.items():
            pats = t.get("index_patterns") or []
            if isinstance(pats, str):
                pats = [pats]
            if any(fnmatch.fnmatchcase(name, p) for p in pats):
                prio = t.get("priority") or 0
                if best is None or prio > best[0]:
                    best = (prio, tname, t)
        return (best[1], best[2]) if best else (None, None)

    def effective_settings(self, tname):
        """Settings of an index template after its component templates (in
        composed_of order, the index template's own last), flattened."""
        t = self.index_templates.get(tname) or {}
        out = {}
        for c in t.get("composed_of") or []:
            ct = self.component_templates.get(c) or {}
            out.update(flatten((ct.get("template") or {}).get("settings")
                               or {}))
        out.update(flatten((t.get("template") or {}).get("settings") or {}))
        return out

    def _create_index(self, name, data_stream=None, body=None):
        idx = Index(name, self.new_uuid(), data_stream, body)
        # Settings come from the template matching the index's name (a
        # data stream's: the data stream's name) when the index is created;
        # a later template change reaches the next backing index only.
        tname, _ = self.match_template(data_stream or name)
        if tname is not None:
            idx.settings = self.effective_settings(tname)
        idx.settings.update(flatten((body or {}).get("settings") or {}))
        self.indices[name] = idx
        return idx

    def pipelines_for(self, a, idx):
        """The pipelines a create/index item goes through, in order: the
        request's `pipeline` (bulk ?pipeline= or the action's), else the
        index's index.default_pipeline; `_none` skips it.  Then
        index.final_pipeline, which `_none` does not skip.  A named
        pipeline that does not exist fails the item as ES does."""
        out = []
        first = a.pipeline if a.pipeline is not None else \
            idx.settings.get("index.default_pipeline")
        final = idx.settings.get("index.final_pipeline")
        for p in (first, final):
            if not p or p == "_none":
                continue
            if p not in self.pipelines:
                raise ItemFailure(400, item_error(
                    "illegal_argument_exception",
                    "pipeline with id [%s] does not exist" % p))
            out.append(p)
        return out

    def _create_data_stream(self, name, template_name):
        day = datetime.datetime.now(datetime.timezone.utc).strftime(
            "%Y.%m.%d")
        backing = self._create_index(".ds-%s-%s-000001" % (name, day),
                                     data_stream=name)
        ds = DataStream(name, template_name, backing)
        self.data_streams[name] = ds
        return ds

    def _index_not_found(self, name, reason=None):
        return ItemFailure(404, item_error(
            "index_not_found_exception", reason or "no such index [%s]" % name,
            **{"resource.type": "index_expression", "resource.id": name,
               "index_uuid": "_na_", "index": name}), index=name)

    def resolve_write_target(self, name, require_alias, require_ds):
        """-> (Index, DataStream or None); may auto-create; ItemFailure."""
        problem = index_name_problem(name)
        if problem:
            raise ItemFailure(400, item_error(
                "invalid_index_name_exception",
                "Invalid index name [%s], %s" % (name, problem),
                index_uuid="_na_", index=name), index=name)
        if require_alias:
            raise self._index_not_found(
                name, "no such index [%s] and [require_alias] request flag is "
                      "[true] and [%s] is not an alias" % (name, name))
        if name in self.data_streams:
            ds = self.data_streams[name]
            return ds.write_index, ds
        if name in self.indices:
            idx = self.indices[name]
            if idx.data_stream:
                return idx, self.data_streams.get(idx.data_stream)
            if require_ds:
                raise ItemFailure(400, item_error(
                    "illegal_argument_exception",
                    "index request targeting [%s] specifies "
                    "require_data_stream=true but it is not a data stream"
                    % name), index=name)
            return idx, None
        tname, tmpl = self.match_template(name)
        if tmpl is not None and tmpl.get("data_stream") is not None:
            ds = self._create_data_stream(name, tname)
            return ds.write_index, ds
        if require_ds:
            raise self._index_not_found(
                name, "no such index [%s] and [require_data_stream] request "
                      "flag is [true] and [%s] is not a data stream"
                      % (name, name))
        if self.opts.no_auto_create:
            raise self._index_not_found(name)
        return self._create_index(name), None

    # ---- bulk --------------------------------------------------------------

    def execute_bulk(self, actions, request_no, params):
        with self.lock:
            return [self._execute_item(a, request_no, pos, params)
                    for pos, a in enumerate(actions)]

    def _execute_item(self, a, request_no, pos, params):
        key = a.op_key
        # ES assigns auto-generated ids on the coordinating node, before
        # anything can fail, so even a failed item carries its _id.
        doc_id = a.doc_id
        if doc_id is None and a.op in ("create", "index"):
            doc_id = self.new_doc_id()
        try:
            result = self._run_item(a, doc_id, request_no, pos, params)
        except ItemFailure as f:
            item = {"_index": f.index if f.index is not None else a.index,
                    "_id": doc_id, "status": f.status, "error": f.error}
            self.stats.inc_map("items_by_status", f.status)
            self.stats.inc_map("items_by_action", key)
            return {key: item}
        self.stats.inc_map("items_by_status", result["status"])
        self.stats.inc_map("items_by_action", key)
        return {key: result}

    def _check_pipeline(self, a):
        p = a.pipeline
        if p and p != "_none" and p not in self.pipelines:
            raise ItemFailure(400, item_error(
                "illegal_argument_exception",
                "pipeline with id [%s] does not exist" % p))

    def _run_item(self, a, doc_id, request_no, pos, params):
        require_ds = _bool_param(params.get("require_data_stream"), False)
        idx, ds = self.resolve_write_target(a.index, a.require_alias,
                                            require_ds)
        if ds is not None and a.op_key != "create":
            raise ItemFailure(400, item_error(
                "illegal_argument_exception",
                "only write ops with an op_type of create are allowed in data "
                "streams"), index=a.index)
        if a.op in ("create", "index"):
            self._check_pipeline(a)
            pipes = self.pipelines_for(a, idx)
            return self._write(a, doc_id, idx, ds, request_no, pos, pipes)
        if a.op == "delete":
            return self._delete(a, idx)
        return self._update(a, idx)

    def _shards_ok(self):
        return {"total": 2, "successful": 1, "failed": 0}

    def _write(self, a, doc_id, idx, ds, request_no, pos, pipes=()):
        target = ds.name if ds else idx.name
        doc_key = a.doc_id if a.doc_id is not None else (
            "<auto:%d:%d>" % (request_no, pos))
        attempt = self.attempts.get((target, doc_key), 0) + 1
        self.attempts[(target, doc_key)] = attempt
        fault = self.faults.item_fault(target, doc_key, attempt)
        if fault == "429":
            self.stats.inc_map("faults_fired", "item_429")
            raise ItemFailure(429, item_error(
                "es_rejected_execution_exception",
                "rejected execution of primary operation "
                "[coordinating_and_primary_bytes=0, replica_bytes=0, "
                "all_bytes=0, primary_operation_bytes=%d, "
                "max_coordinating_and_primary_bytes=107374182]"
                % len(a.source_text or b"")), index=idx.name)
        if fault == "503":
            self.stats.inc_map("faults_fired", "item_503")
            raise ItemFailure(503, item_error(
                "unavailable_shards_exception",
                "[%s][0] primary shard is not active Timeout: [1m], request: "
                "[BulkShardRequest [[%s][0]] containing [1] requests]"
                % (idx.name, idx.name), index=idx.name, uuid=idx.uuid,
                shard="0"), index=idx.name)
        src = a.source
        col = len(a.source_text or b"")
        if isinstance(src, Exception) or not isinstance(src, dict):
            why = str(src) if isinstance(src, Exception) else (
                "source is a %s, not an object" % _token_name(src))
            raise ItemFailure(400, item_error(
                self._parse_error_type(),
                "[1:%d] failed to parse: %s" % (max(col, 1), why),
                index=idx.name, uuid=idx.uuid, shard="0"), index=idx.name)
        if fault == "400":
            self.stats.inc_map("faults_fired", "item_400")
            leaf = first_leaf(src) or ("message", "")
            preview = json.dumps(leaf[1]) if not isinstance(leaf[1], str) \
                else leaf[1]
            raise ItemFailure(400, item_error(
                self._parse_error_type(),
                "[1:%d] failed to parse field [%s] of type [long] in document "
                "with id '%s'. Preview of field's value: '%s'"
                % (max(col, 1), leaf[0], doc_id, preview[:100]),
                index=idx.name, uuid=idx.uuid, shard="0",
                caused_by={"type": "illegal_argument_exception",
                           "reason": "For input string: \"%s\"" % preview[:100]}),
                index=idx.name)
        if ds is not None:
            self._check_timestamp(src, idx, doc_id, col)
        existing = idx.docs.get(doc_id)
        preset = doc_id in self.faults.preset_ids
        cur_version = existing[1] if existing else (1 if preset else 0)
        if a.op_key == "create" and (existing or preset):
            if preset and not existing:
                self.stats.inc_map("faults_fired", "item_409_preset")
            raise ItemFailure(409, item_error(
                "version_conflict_engine_exception",
                "[%s]: version conflict, document already exists (current "
                "version [%d])" % (doc_id, cur_version),
                index=idx.name, uuid=idx.uuid, shard="0"), index=idx.name)
        version = cur_version + 1
        seq = idx.next_seq_no()
        idx.docs[doc_id] = [src, version, seq, list(pipes)]
        for p in pipes:
            self.stats.inc_map("docs_by_pipeline", p)
        if (idx.name, doc_id) not in self.order:
            self.order[(idx.name, doc_id)] = None
            self.stats.inc("docs_stored")
        created = version == 1
        return {"_index": idx.name, "_id": doc_id, "_version": version,
                "result": "created" if created else "updated",
                "_shards": self._shards_ok(), "_seq_no": seq,
                "_primary_term": 1, "status": 201 if created else 200}

    def _parse_error_type(self):
        return ("document_parsing_exception"
                if self.opts.version_tuple >= (8, 8) else
                "mapper_parsing_exception")

    def _check_timestamp(self, src, idx, doc_id, col):
        ts = src.get("@timestamp", None)
        if "@timestamp" not in src or ts is None:
            msg = "data stream timestamp field [@timestamp] is missing"
            raise ItemFailure(400, item_error(
                self._parse_error_type(),
                "[1:%d] failed to parse: %s" % (max(col, 1), msg),
                caused_by={"type": "illegal_argument_exception",
                           "reason": msg}), index=idx.name)
        if isinstance(ts, list):
            msg = ("data stream timestamp field [@timestamp] encountered "
                   "multiple values")
            raise ItemFailure(400, item_error(
                self._parse_error_type(),
                "[1:%d] failed to parse: %s" % (max(col, 1), msg),
                caused_by={"type": "illegal_argument_exception",
                           "reason": msg}), index=idx.name)
        if not valid_es_date(ts):
            raise ItemFailure(400, item_error(
                self._parse_error_type(),
                "[1:%d] failed to parse field [@timestamp] of type [date] in "
                "document with id '%s'. Preview of field's value: '%s'"
                % (max(col, 1), doc_id, ts),
                index=idx.name, uuid=idx.uuid, shard="0",
                caused_by={"type": "illegal_argument_exception",
                           "reason": "failed to parse date field [%s] with "
                                     "format [strict_date_optional_time||"
                                     "epoch_millis]" % ts}), index=idx.name)

    def _delete(self, a, idx):
        existing = idx.docs.pop(a.doc_id, None)
        seq = idx.next_seq_no()
        if existing is None:
            return {"_index": idx.name, "_id": a.doc_id, "_version": 1,
                    "result": "not_found", "_shards": self._shards_ok(),
                    "_seq_no": seq, "_primary_term": 1, "status": 404}
        self.order.pop((idx.name, a.doc_id), None)
        return {"_index": idx.name, "_id": a.doc_id,
                "_version": existing[1] + 1, "result": "deleted",
                "_shards": self._shards_ok(), "_seq_no": seq,
                "_primary_term": 1, "status": 200}

    def _update(self, a, idx):
        src = a.source
        if "script" in src:
            raise ItemFailure(400, item_error(
                "illegal_argument_exception",
                "scripted updates are not supported by this test server"),
                index=idx.name)
        existing = idx.docs.get(a.doc_id)
        if existing is None:
            if src.get("doc_as_upsert") and isinstance(src.get("doc"), dict):
                new = src["doc"]
            elif isinstance(src.get("upsert"), dict):
                new = src["upsert"]
            else:
                raise ItemFailure(404, item_error(
                    "document_missing_exception",
                    "[%s]: document missing" % a.doc_id,
                    index=idx.name, uuid=idx.uuid, shard="0"), index=idx.name)
            seq = idx.next_seq_no()
            idx.docs[a.doc_id] = [new, 1, seq]
            self.order[(idx.name, a.doc_id)] = None
            self.stats.inc("docs_stored")
            return {"_index": idx.name, "_id": a.doc_id, "_version": 1,
                    "result": "created", "_shards": self._shards_ok(),
                    "_seq_no": seq, "_primary_term": 1, "status": 201}
        merged = deep_merge(existing[0], src.get("doc") or {})
        if merged == existing[0] and src.get("detect_noop", True):
            return {"_index": idx.name, "_id": a.doc_id,
                    "_version": existing[1], "result": "noop",
                    "_shards": {"total": 0, "successful": 0, "failed": 0},
                    "_seq_no": existing[2], "_primary_term": 1, "status": 200}
        seq = idx.next_seq_no()
        idx.docs[a.doc_id] = [merged, existing[1] + 1, seq]
        return {"_index": idx.name, "_id": a.doc_id,
                "_version": existing[1] + 1, "result": "updated",
                "_shards": self._shards_ok(), "_seq_no": seq,
                "_primary_term": 1, "status": 200}

    # ---- introspection -----------------------------------------------------

    def docs_ndjson(self, only_index=None):
        out = []
        with self.lock:
            for (iname, doc_id) in self.order:
                idx = self.indices.get(iname)
                if idx is None or doc_id not in idx.docs:
                    continue
                target = idx.data_stream or iname
                if only_index and only_index not in (target, iname):
                    continue
                rec = {"_index": target, "_id": doc_id,
                       "_source": idx.docs[doc_id][0]}
                pipes = idx.docs[doc_id][3] if len(idx.docs[doc_id]) > 3 \
                    else []
                if pipes:
                    rec["_pipelines"] = pipes
                if idx.data_stream:
                    rec["_backing_index"] = iname
                out.append(dumps(rec) + b"\n")
        return b"".join(out)

    def get_doc(self, name, doc_id):
        with self.lock:
            idx = None
            if name in self.data_streams:
                idx = self.data_streams[name].write_index
            elif name in self.indices:
                idx = self.indices[name]
            if idx is None:
                raise EsError(404, "index_not_found_exception",
                              "no such index [%s]" % name,
                              **{"resource.type": "index_expression",
                                 "resource.id": name, "index_uuid": "_na_",
                                 "index": name})
            d = idx.docs.get(doc_id)
            if d is None:
                return 404, {"_index": idx.name, "_id": doc_id,
                             "found": False}
            return 200, {"_index": idx.name, "_id": doc_id, "_version": d[1],
                         "_seq_no": d[2], "_primary_term": 1, "found": True,
                         "_source": d[0]}

    # ---- setup resources ---------------------------------------------------

    @staticmethod
    def _require_object(body, what):
        if not isinstance(body, dict):
            raise EsError(400, "x_content_parse_exception",
                          "[1:1] [%s] expected an object" % what,
                          violation=True)

    @staticmethod
    def _unknown_keys(body, allowed, what):
        for k in body:
            if k not in allowed:
                raise EsError(400, "x_content_parse_exception",
                              "[1:2] [%s] unknown field [%s]" % (what, k),
                              violation=True)

    def put_index_template(self, name, body, create=False):
        self._require_object(body, "index_template")
        self._unknown_keys(body, {
            "index_patterns", "template", "composed_of", "priority",
            "version", "_meta", "data_stream", "allow_auto_create",
            "ignore_missing_component_templates", "deprecated"},
            "index_template")
        pats = body.get("index_patterns")
        if isinstance(pats, str):
            pats = [pats]
        if not pats or not isinstance(pats, list) or \
                not all(isinstance(p, str) for p in pats):
            raise validation_error(["index patterns are missing"])
        tmpl = body.get("template", {})
        self._require_object(tmpl, "template")
        self._unknown_keys(tmpl, {"settings", "mappings", "aliases",
                                  "lifecycle", "data_stream_options"},
                           "template")
        prio = body.get("priority", 0)
        if prio is not None and (not isinstance(prio, int) or prio < 0):
            raise validation_error(["index template priority must be >= 0"])
        if "data_stream" in body and not isinstance(body["data_stream"],
                                                    dict):
            raise EsError(400, "x_content_parse_exception",
                          "[1:2] [index_template] failed to parse field "
                          "[data_stream]", violation=True)
        composed = body.get("composed_of") or []
        if not isinstance(composed, list):
            raise EsError(400, "x_content_parse_exception",
                          "[1:2] [index_template] failed to parse field "
                          "[composed_of]", violation=True)
        with self.lock:
            if create and name in self.index_templates:
                raise EsError(400, "illegal_argument_exception",
                              "index template [%s] already exists" % name)
            ignore = set(body.get("ignore_missing_component_templates") or [])
            missing = [c for c in composed
                       if c not in self.component_templates
                       and c not in ignore]
            if missing:
                raise EsError(400, "invalid_index_template_exception",
                              "index_template [%s] invalid, cause [index "
                              "template [%s] specifies component templates "
                              "%s that do not exist]"
                              % (name, name, "[" + ", ".join(missing) + "]"),
                              name=name, violation=True)
            for other, t in self.index_templates.items():
                if other == name or (t.get("priority") or 0) != (prio or 0):
                    continue
                opats = t.get("index_patterns") or []
                if isinstance(opats, str):
                    opats = [opats]
                if any(globs_overlap(p, q) for p in pats for q in opats):
                    raise EsError(
                        400, "illegal_argument_exception",
                        "index template [%s] has index patterns %s matching "
                        "patterns from existing templates [%s] with patterns "
                        "(%s => %s) that have the same priority [%d], "
                        "multiple index templates may not match during index "
                        "creation, please use a different priority"
                        % (name, "[" + ", ".join(pats) + "]", other, other,
                           "[" + ", ".join(opats) + "]", prio or 0),
                        violation=True)
            self.index_templates[name] = body
            self.builtin.discard(name)

    def put_component_template(self, name, body):
        self._require_object(body, "component_template")
        self._unknown_keys(body, {"template", "version", "_meta",
                                  "deprecated"}, "component_template")
        if "template" not in body:
            raise EsError(400, "x_content_parse_exception",
                          "[1:2] Required [template]", violation=True)
        self._require_object(body["template"], "template")
        self._unknown_keys(body["template"], {"settings", "mappings",
                                              "aliases", "lifecycle",
                                              "data_stream_options"},
                           "template")
        with self.lock:
            self.component_templates[name] = body

    def delete_component_template(self, name):
        with self.lock:
            if name not in self.component_templates:
                raise EsError(404, "resource_not_found_exception",
                              "component template matching [%s] not found"
                              % name)
            users = [t for t, b in self.index_templates.items()
                     if name in (b.get("composed_of") or [])]
            if users:
                raise EsError(400, "illegal_argument_exception",
                              "component templates [%s] cannot be removed as "
                              "they are still in use by index templates [%s]"
                              % (name, ", ".join(users)))
            del self.component_templates[name]

    ILM_PHASES = {"hot", "warm", "cold", "frozen", "delete"}

    def put_ilm_policy(self, name, body):
        self._require_object(body, "put_lifecycle_request")
        self._unknown_keys(body, {"policy"}, "put_lifecycle_request")
        policy = body.get("policy")
        if not isinstance(policy, dict):
            raise EsError(400, "x_content_parse_exception",
                          "[1:2] Required [policy]", violation=True)
        self._unknown_keys(policy, {"phases", "_meta", "deprecated"},
                           "lifecycle_policy")
        phases = policy.get("phases", {})
        self._require_object(phases, "phases")
        for ph, spec in phases.items():
            if ph not in self.ILM_PHASES:
                raise EsError(400, "illegal_argument_exception",
                              "Timeseries lifecycle does not support phase "
                              "[%s]" % ph, violation=True)
            self._require_object(spec, "phase")
            self._unknown_keys(spec, {"min_age", "actions"}, "phase")
        with self.lock:
            prev = self.ilm_policies.get(name)
            self.ilm_policies[name] = {
                "version": (prev["version"] + 1) if prev else 1,
                "modified_date": datetime.datetime.now(
                    datetime.timezone.utc).strftime(
                    "%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
                "policy": policy}

    def put_pipeline(self, name, body):
        self._require_object(body, "pipeline")
        allowed = {"description", "processors", "on_failure", "version",
                   "_meta", "deprecated"}
        extra = [k for k in body if k not in allowed]
        if extra:
            raise EsError(400, "parse_exception",
                          "pipeline [%s] doesn't support one or more provided "
                          "configuration parameters %s"
                          % (name, "[" + ", ".join(extra) + "]"),
                          violation=True)
        procs = body.get("processors")
        if not isinstance(procs, list):
            raise EsError(400, "parse_exception",
                          "[processors] required property is missing",
                          property_name="processors", violation=True)
        for p in procs + list(body.get("on_failure") or []):
            if not isinstance(p, dict) or len(p) != 1 or \
                    not isinstance(next(iter(p.values())), dict):
                raise EsError(400, "parse_exception",
                              "processor definition must be an object with "
                              "exactly one processor type", violation=True)
        with self.lock:
            self.pipelines[name] = body

    def put_data_stream(self, name):
        problem = index_name_problem(name)
        if problem:
            raise EsError(400, "invalid_index_name_exception",
                          "Invalid index name [%s], %s" % (name, problem),
                          index_uuid="_na_", index=name)
        with self.lock:
            if name in self.data_streams:
                raise EsError(400, "resource_already_exists_exception",
                              "data_stream [%s] already exists" % name)
            if name in self.indices:
                raise EsError(400, "illegal_argument_exception",
                              "data stream [%s] conflicts with index" % name)
            tname, tmpl = self.match_template(name)
            if tmpl is None or tmpl.get("data_stream") is None:
                raise EsError(400, "illegal_argument_exception",
                              "no matching index template found for data "
                              "stream [%s]" % name)
            self._create_data_stream(name, tname)

    def describe_data_streams(self, pattern=None):
        with self.lock:
            out = []
            for name, ds in self.data_streams.items():
                if pattern and not any(fnmatch.fnmatchcase(name, p)
                                       for p in pattern.split(",")):
                    continue
                out.append(ds.describe(
                    self.effective_settings(ds.template_name)))
            return out

    def delete_data_stream(self, name):
        with self.lock:
            ds = self.data_streams.pop(name, None)
            if ds is None:
                raise EsError(404, "index_not_found_exception",
                              "no such index [%s]" % name,
                              **{"resource.type": "index_or_alias",
                                 "resource.id": name, "index_uuid": "_na_",
                                 "index": name})
            for idx in ds.indices:
                self._drop_index(idx.name)

    def _drop_index(self, iname):
        self.indices.pop(iname, None)
        for k in [k for k in self.order if k[0] == iname]:
            del self.order[k]

    def create_index(self, name, body):
        problem = index_name_problem(name)
        if problem:
            raise EsError(400, "invalid_index_name_exception",
                          "Invalid index name [%s], %s" % (name, problem),
                          index_uuid="_na_", index=name)
        body = body or {}
        self._require_object(body, "create_index")
        for k in body:
            if k not in ("settings", "mappings", "aliases"):
                raise EsError(400, "parse_exception",
                              "unknown key [%s] for create index" % k,
                              violation=True)
        with self.lock:
            if name in self.indices or name in self.data_streams:
                idx = self.indices.get(name)
                raise EsError(400, "resource_already_exists_exception",
                              "index [%s/%s] already exists"
                              % (name, idx.uuid if idx else "_na_"),
                              index_uuid=idx.uuid if idx else "_na_",
                              index=name)
            tname, tmpl = self.match_template(name)
            if tmpl is not None and tmpl.get("data_stream") is not None:
                raise EsError(400, "illegal_argument_exception",
                              "cannot create index with name [%s], because it "
                              "matches with template [%s] that creates data "
                              "streams only, use create data stream api "
                              "instead" % (name, tname))
            self._create_index(name, body=body)

    def rollover(self, target, new_index, req, dry_run):
        """POST /{target}/_rollover[/{new_index}] -> the response body.
        MetadataRolloverService.validate's checks, then the conditions on
        the write index, then (unless a dry run or no condition is met) a
        new backing index .ds-NAME-yyyy.MM.dd-GENERATION becomes the write
        index; the older ones keep their documents."""
        with self.lock:
            ds = self.data_streams.get(target)
            if ds is None:
                if target in self.indices:
                    raise EsError(400, "illegal_argument_exception",
                                  "rollover target is a [concrete index] but "
                                  "one of [alias,data_stream] was expected")
                raise EsError(400, "illegal_argument_exception",
                              "rollover target [%s] does not exist" % target)
            if new_index:
                raise EsError(400, "illegal_argument_exception",
                              "new index name may not be specified when "
                              "rolling over a data stream")
            if req.has_index_settings:
                raise EsError(400, "illegal_argument_exception",
                              "aliases, mappings, and index settings may not "
                              "be specified when rolling over a data stream")
            old = ds.write_index
            # DataStream.nextWriteIndexAndGeneration: today (UTC), the next
            # generation whose name is not taken.
            day = datetime.datetime.now(datetime.timezone.utc).strftime(
                "%Y.%m.%d")
            generation = ds.generation
            while True:
                generation += 1
                name = ".ds-%s-%s-%06d" % (ds.name, day, generation)
                if name not in self.indices and name not in self.data_streams:
                    break
            docs = len(old.docs)
            age_ns = int((time.time() - old.created) * 1e9)
            results = {}
            for cond in req.conditions:
                value = cond[3]
                have = docs if cond[2] == "docs" else age_ns
                results[RolloverRequest.label(cond)] = have >= value
            met = not req.conditions or (
                all(results[RolloverRequest.label(c)]
                    for c in req.conditions if c[1] == "min")
                and any(results[RolloverRequest.label(c)]
                        for c in req.conditions if c[1] == "max"))
            resp = {"acknowledged": False, "shards_acknowledged": False,
                    "old_index": old.name, "new_index": name,
                    "rolled_over": False, "dry_run": dry_run, "lazy": False,
                    "conditions": results}
            if dry_run or not met:
                return resp
            ds.indices.append(self._create_index(name, data_stream=ds.name))
            ds.generation = generation
            self.stats.inc("rollovers")
            resp.update(acknowledged=True, shards_acknowledged=True,
                        rolled_over=True)
            return resp

    def delete_index(self, name):
        with self.lock:
            if name not in self.indices or self.indices[name].data_stream:
                raise EsError(404, "index_not_found_exception",
                              "no such index [%s]" % name,
                              **{"resource.type": "index_or_alias",
                                 "resource.id": name, "index_uuid": "_na_",
                                 "index": name})
            self._drop_index(name)


# ---- the rollover API ------------------------------------------------------

_TIME_UNITS_NS = (("d", 86400 * 10**9), ("h", 3600 * 10**9), ("m", 60 * 10**9),
                  ("s", 10**9), ("ms", 10**6), ("micros", 10**3),
                  ("nanos", 1))


def parse_time_value_ns(text):
    """TimeValue.parseTimeValue: "7d", "12h", "0s", "-1" -> nanoseconds, or
    None when ES would reject it."""
    if not isinstance(text, str):
        return None
    text = text.strip().lower()
    if text in ("-1", "0"):
        return int(text)
    m = re.fullmatch(r"(\d+)\s*(nanos|micros|ms|s|m|h|d)", text)
    if not m:
        return None
    return int(m.group(1)) * dict(_TIME_UNITS_NS)[m.group(2)]


def format_time_value(ns):
    """TimeValue.toString() (toHumanReadableString(1)): 7d, 1.5h, 90s ->
    1.5m; one fraction digit, truncated, dropped when it is 0."""
    if ns < 0:
        return str(ns)
    if ns == 0:
        return "0s"
    for suffix, unit in _TIME_UNITS_NS:
        if ns >= unit:
            whole, rest = divmod(ns, unit)
            tenth = rest * 10 // unit
            return "%d%s%s" % (whole, ".%d" % tenth if tenth else "", suffix)
    return "%dnanos" % ns


class RolloverRequest:
    """The body of POST /{target}/_rollover, parsed as RolloverRequest's
    ObjectParser does: conditions (docs and age conditions; size conditions
    are refused, the test server stores no Lucene sizes), settings,
    mappings, aliases."""

    DOCS = ("max_docs", "max_primary_shard_docs", "min_docs",
            "min_primary_shard_docs")
    AGES = ("max_age", "min_age")
    SIZES = ("max_size", "max_primary_shard_size", "min_size",
             "min_primary_shard_size")

    def __init__(self, body):
        self.conditions = []    # (name, "max"|"min", "docs"|"age", value)
        self.has_index_settings = False
        if body is None:
            return
        if not isinstance(body, dict):
            raise EsError(400, "x_content_parse_exception",
                          "[1:1] [rollover] Expected START_OBJECT but was: %s"
                          % _token_name(body), violation=True)
        for k, v in body.items():
            if k not in ("conditions", "settings", "mappings", "aliases"):
                raise EsError(400, "x_content_parse_exception",
                              "[1:2] [rollover] unknown field [%s]" % k,
                              violation=True)
            if not isinstance(v, dict):
                raise EsError(400, "x_content_parse_exception",
                              "[1:2] [rollover] %s doesn't support values of "
                              "type: %s" % (k, _token_name(v)),
                              violation=True)
            if k != "conditions" and v:
                self.has_index_settings = True
        for name, v in (body.get("conditions") or {}).items():
            self.conditions.append(self._condition(name, v))
        kinds = {c[1] for c in self.conditions}
        if "min" in kinds and "max" not in kinds:
            raise validation_error(["at least one max_* rollover condition "
                                    "must be set when using min_* "
                                    "conditions"])

    def _condition(self, name, v):
        def bad():
            return EsError(400, "x_content_parse_exception",
                           "[1:2] [conditions] failed to parse field [%s]"
                           % name, violation=True)
        if name in self.DOCS:
            if isinstance(v, str) and re.fullmatch(r"-?\d+", v.strip()):
                v = int(v)
            if isinstance(v, bool) or not isinstance(v, int):
                raise bad()
            return (name, name[:3], "docs", v)
        if name in self.AGES:
            ns = parse_time_value_ns(v)
            if ns is None:
                raise bad()
            return (name, name[:3], "age", ns)
        if name in self.SIZES:
            raise EsError(400, "illegal_argument_exception",
                          "test server: rollover condition [%s] is not "
                          "supported (no Lucene sizes here); use max_docs or "
                          "max_age" % name, violation=True)
        raise EsError(400, "x_content_parse_exception",
                      "[1:2] [conditions] unknown field [%s]" % name,
                      violation=True)

    @staticmethod
    def label(cond):
        """A condition as ES prints it: "[max_docs: 5]", "[max_age: 7d]"."""
        name, _, what, value = cond
        shown = format_time_value(value) if what == "age" else str(value)
        return "[%s: %s]" % (name, shown)


def _bool_param(value, default):
    if value is None:
        return default
    if value in ("", "true"):
        return True
    if value == "false":
        return False
    raise EsError(400, "illegal_argument_exception",
                  "Failed to parse value [%s] as only [true] or [false] are "
                  "allowed." % value)


# ============================================================================
# Authentication
# ============================================================================

class Authenticator:
    """--auth basic:USER:PASS | apikey:ENCODED | sigv4:AK:SECRET:REGION:SVC[:TOKEN]
    (repeatable: a request passes if it matches any).  Secrets are never
    logged or echoed."""

    WWW_AUTH = [("WWW-Authenticate", 'Basic realm="security" charset="UTF-8"'),
                ("WWW-Authenticate", "ApiKey")]

    def __init__(self, specs, max_skew_s):
        self.basic, self.apikeys, self.sigv4 = [], [], []
        self.max_skew_s = max_skew_s
        for spec in specs or []:
            kind, _, rest = spec.partition(":")
            if kind == "basic":
                user, sep, pw = rest.partition(":")
                if not sep:
                    raise SystemExit("--auth basic:USER:PASS")
                self.basic.append((user, pw))
            elif kind == "apikey":
                if not rest:
                    raise SystemExit("--auth apikey:ENCODED")
                self.apikeys.append(rest)
            elif kind == "sigv4":
                parts = rest.split(":")
                if len(parts) not in (4, 5):
                    raise SystemExit("--auth sigv4:AK:SECRET:REGION:SERVICE"
                                     "[:TOKEN]")
                self.sigv4.append(sigv4.Credentials(*parts))
            else:
                raise SystemExit("unknown --auth kind %r" % kind)

    @property
    def enabled(self):
        return bool(self.basic or self.apikeys or self.sigv4)

    def check(self, method, target, headers, body):
        """Returns None when authenticated, else (scheme, reason, RawError
        or EsError)."""
        if not self.enabled:
            return None
        get_all = lambda n: headers.get_all(n) or []
        auth = (headers.get("Authorization") or "").strip()
        if self.sigv4 and (auth.startswith(sigv4.ALGORITHM)
                           or not (self.basic or self.apikeys)):
            last = None
            for creds in self.sigv4:
                r = sigv4.verify(method, target, get_all, body, creds,
                                 max_skew_s=self.max_skew_s)
                if r.ok:
                    return None
                last = r
            key = "Message" if last.reason.startswith("missing Author") \
                else "message"
            return ("sigv4", last.reason,
                    RawError(403, {key: last.message},
                             headers=[("x-amzn-RequestId",
                                       "00000000-0000-0000-0000-000000000000")]))
        if not auth:
            return ("none", "missing credentials", EsError(
                401, "security_exception",
                "missing authentication credentials for REST request [%s]"
                % target, headers=self.WWW_AUTH,
                header={"WWW-Authenticate": [v for _, v in self.WWW_AUTH]}))
        scheme, _, cred = auth.partition(" ")
        cred = cred.strip()
        if scheme.lower() == "basic" and self.basic:
            try:
                user, _, pw = base64.b64decode(cred, validate=True).decode(
                    "utf-8").partition(":")
            except Exception:
                user, pw = None, None
            for u, p in self.basic:
                if user == u and pw is not None and hmac.compare_digest(
                        pw.encode(), p.encode()):
                    return None
            return ("basic", "bad user or password for [%s]" % user, EsError(
                401, "security_exception",
                "unable to authenticate user [%s] for REST request [%s]"
                % (user, target), headers=self.WWW_AUTH,
                header={"WWW-Authenticate": [v for _, v in self.WWW_AUTH]}))
        if scheme.lower() == "apikey" and self.apikeys:
            for k in self.apikeys:
                if hmac.compare_digest(cred.encode(), k.encode()):
                    return None
            return ("apikey", "unknown API key", EsError(
                401, "security_exception",
                "unable to authenticate with provided credentials and "
                "anonymous access is not allowed for this request",
                headers=self.WWW_AUTH,
                additional_unsuccessful_credentials="API key: invalid "
                                                    "credentials",
                header={"WWW-Authenticate": [v for _, v in self.WWW_AUTH]}))
        return ("unsupported", "unsupported scheme [%s]" % scheme, EsError(
            401, "security_exception",
            "missing authentication credentials for REST request [%s]"
            % target, headers=self.WWW_AUTH,
            header={"WWW-Authenticate": [v for _, v in self.WWW_AUTH]}))


# ============================================================================
# HTTP
# ============================================================================

ACCEPTED_BULK_TYPES = {"application/x-ndjson", "application/json",
                       "application/vnd.elasticsearch+x-ndjson",
                       "application/vnd.elasticsearch+json"}
ACCEPTED_JSON_TYPES = {"application/json",
                       "application/vnd.elasticsearch+json"}
BULK_PARAMS = {"pipeline", "refresh", "routing", "timeout",
               "wait_for_active_shards", "require_alias",
               "require_data_stream", "list_executed_pipelines",
               "include_source_on_error", "_source", "_source_includes",
               "_source_excludes", "filter_path", "pretty", "human",
               "error_trace"}
ROLLOVER_PARAMS = {"dry_run", "lazy", "wait_for_active_shards", "timeout",
                   "master_timeout", "filter_path", "pretty", "human",
                   "error_trace"}
_TIME_VALUE = re.compile(r"^(-1|0|\d+(d|h|m|s|ms|micros|nanos))$")

ROUTES = [
    (r"/", {"GET"}, "root"),
    (r"/_bulk", {"POST", "PUT"}, "bulk"),
    (r"/(?P<target>[^/_][^/]*)/_bulk", {"POST", "PUT"}, "bulk"),
    (r"/_test/docs", {"GET"}, "test_docs"),
    (r"/_test/stats", {"GET"}, "test_stats"),
    (r"/_test/requests", {"GET"}, "test_requests"),
    (r"/_test/reset", {"POST"}, "test_reset"),
    (r"/_index_template/?", {"GET"}, "index_templates"),
    (r"/_index_template/(?P<name>[^/]+)",
     {"PUT", "POST", "GET", "DELETE"}, "index_template"),
    (r"/_component_template/?", {"GET"}, "component_templates"),
    (r"/_component_template/(?P<name>[^/]+)",
     {"PUT", "POST", "GET", "DELETE"}, "component_template"),
    (r"/_ilm/policy/?", {"GET"}, "ilm_policies"),
    (r"/_ilm/policy/(?P<name>[^/]+)", {"PUT", "GET", "DELETE"}, "ilm_policy"),
    (r"/_data_stream/?", {"GET"}, "data_streams"),
    (r"/_data_stream/(?P<name>[^/]+)", {"PUT", "GET", "DELETE"},
     "data_stream"),
    (r"/_ingest/pipeline/?", {"GET"}, "pipelines"),
    (r"/_ingest/pipeline/(?P<name>[^/]+)", {"PUT", "GET", "DELETE"},
     "pipeline"),
    (r"/_cluster/health", {"GET"}, "cluster_health"),
    (r"/(?P<target>[^/_][^/]*)/_rollover", {"POST"}, "rollover"),
    (r"/(?P<target>[^/_][^/]*)/_rollover/(?P<new_index>[^/]+)", {"POST"},
     "rollover"),
    (r"/(?P<index>[^/_][^/]*)/_doc/(?P<doc_id>[^/]+)", {"GET"}, "get_doc"),
    (r"/(?P<index>[^/_][^/]*)", {"PUT", "GET", "DELETE"}, "index"),
]
ROUTES = [(re.compile("^" + p + "$"), m, n) for p, m, n in ROUTES]


def match_route(method, raw_path):
    """-> (name, groups) or (None, allowed_methods or None).  HEAD is
    served wherever GET is (ES answers HEAD for GET endpoints)."""
    allowed = set()
    for rx, methods, name in ROUTES:
        m = rx.match(raw_path)
        if not m:
            continue
        ms = methods | ({"HEAD"} if "GET" in methods else set())
        if method in ms:
            return name, {k: urllib.parse.unquote(v)
                          for k, v in m.groupdict().items()}
        allowed |= ms
    return None, (sorted(allowed) if allowed else None)


def media_type(value):
    return (value or "").split(";", 1)[0].strip().lower()


class EsHandler(common.BaseHandler):
    server_version = "elasticsearch-test"

    # ---- plumbing ----------------------------------------------------------

    def setup(self):
        super().setup()
        self.conn_id = self.server.conn_ids.next()
        if self.server.opts.idle_timeout_ms:
            self.connection.settimeout(self.server.opts.idle_timeout_ms
                                       / 1000.0)

    def do_GET(self):
        self.dispatch()

    do_HEAD = do_POST = do_PUT = do_DELETE = do_GET

    def handle_expect_100(self):
        srv = self.server
        framing = common.RequestFraming(self.headers)
        identity = media_type(self.headers.get("Content-Encoding")) in (
            "", "identity")
        if identity and framing.content_length is not None and \
                framing.content_length > srv.opts.max_content_length:
            srv.stats.inc_map("faults_fired", "max_content_length_417")
            self.send_full(417, self.base_headers(), b"")
            return False
        srv.stats.inc("expect_100_continue")
        return super().handle_expect_100()

    def base_headers(self):
        if self.server.opts.flavor == "opensearch":
            return []
        return [("X-elastic-product", "Elasticsearch")]

    def wants_gzip(self):
        mode = self.server.opts.response_compression
        if mode == "off" or (mode == "auto" and self.server.tls_context):
            return False
        for tok in (self.headers.get("Accept-Encoding") or "").split(","):
            parts = tok.strip().split(";")
            if parts[0].strip().lower() == "gzip":
                if any(p.strip().replace(" ", "") in ("q=0", "q=0.0")
                       for p in parts[1:]):
                    return False
                return True
        return False

    def render(self, status, obj, extra_headers=(), filterable=True):
        """-> (headers, body bytes) for a JSON response."""
        if filterable and 200 <= status < 300 and \
                "filter_path" in self.params and isinstance(obj, dict):
            obj = FilterPath(self.params["filter_path"]).apply(obj)
        pretty = "pretty" in self.params and self.params["pretty"] != "false"
        body = obj if isinstance(obj, bytes) else dumps(obj, pretty)
        headers = self.base_headers() + [("content-type",
                                          "application/json")]
        headers += list(extra_headers)
        if body and self.wants_gzip():
            body = gzip.compress(body, 6)
            headers.append(("content-encoding", "gzip"))
        return headers, body

    def reply(self, status, obj, extra_headers=(), filterable=True,
              close=False):
        headers, body = self.render(status, obj, extra_headers, filterable)
        self.server.stats.inc_map("responses_by_status", status)
        self.send_full(status, headers, body, close=close)
        return status

    def reply_empty(self, status, close=False):
        self.server.stats.inc_map("responses_by_status", status)
        self.send_full(status, self.base_headers(), b"", close=close)
        return status

    def reply_error(self, err, close=False):
        if isinstance(err, EsError):
            return self.reply(err.status, err.body(), err.headers,
                              filterable=False, close=close)
        if isinstance(err.body, bytes):
            self.server.stats.inc_map("responses_by_status", err.status)
            self.send_full(err.status, self.base_headers() + err.headers,
                           err.body, close=close or err.close)
            return err.status
        return self.reply(err.status, err.body, err.headers, filterable=False,
                          close=close or err.close)

    def violation(self, reason, request_no=None):
        self.server.stats.violation(request_no, self.command, self.path,
                                    reason)

    # ---- dispatch ----------------------------------------------------------

    def dispatch(self):
        srv = self.server
        srv.stats.inc("requests_total")
        split = urllib.parse.urlsplit(self.path)
        self.raw_path, self.raw_query = split.path or "/", split.query
        self.params = dict(urllib.parse.parse_qsl(self.raw_query,
                                                  keep_blank_values=True))
        self.framing = common.RequestFraming(self.headers)
        ua = self.headers.get("User-Agent")
        if ua:
            srv.stats.inc_map("user_agents", ua)
        if self.framing.error:
            self.violation(self.framing.error)
            self.reply_error(EsError(400, "illegal_argument_exception",
                                     self.framing.error), close=True)
            return
        if srv.opts.hang and not self.raw_path.startswith("/_test/"):
            self._hang()
            return
        if self.fixed_answer():
            return
        name, groups = match_route(self.command, self.raw_path)
        try:
            if name is None:
                self._drain_quietly()
                if groups:
                    msg = ("Incorrect HTTP method for uri [%s] and method "
                           "[%s], allowed: [%s]" % (self.path, self.command,
                                                    ", ".join(groups)))
                    self.reply(405, {"error": msg, "status": 405},
                               [("Allow", ",".join(groups))],
                               filterable=False)
                else:
                    self.reply(400, {"error": "no handler found for uri [%s] "
                                              "and method [%s]"
                                              % (self.path, self.command)},
                               filterable=False)
                return
            getattr(self, "route_" + name)(**groups)
        except common.TruncatedBody as e:
            self.violation("truncated request body: %s" % e)
            self.close_connection = True
        except common.BadRequestBody as e:
            self.violation("bad request framing: %s" % e)
            self.reply_error(EsError(400, "illegal_argument_exception",
                                     str(e)), close=True)
        except (EsError, RawError) as e:
            if e.violation:
                self.violation(e.violation if isinstance(e.violation, str)
                               else e.reason)
            self.reply_error(e)

    def _hang(self):
        """--hang: take the request, answer nothing, hold the connection
        until the client closes it."""
        srv = self.server
        srv.stats.inc("hung_requests")
        srv.stats.inc_map("faults_fired", "hang")
        self._drain_quietly()
        common.hold_until_peer_closes(self.connection, srv.stop)
        self.close_connection = True
    def fixed_answer(self):
        """--answer-all / --answer-bulk: answer as something that is not
        the cluster would (an HTML page, a redirect).  True if answered."""
        opts = self.server.opts
        status = opts.answer_all
        if status is None and self.raw_path.endswith("/_bulk"):
            status = opts.answer_bulk
        if status is None or self.raw_path.startswith("/_test/"):
            return False
        self._drain_quietly()
        phrase = http.client.responses.get(status, "Status")
        body = ("<html><head><title>%d %s</title></head><body><h1>%s</h1>"
                "</body></html>\n" % (status, phrase, phrase)).encode()
        headers = [("content-type", "text/html")]
        if 300 <= status < 400:
            headers.append(("location", "https://%s%s" % (
                self.headers.get("Host", "127.0.0.1"), self.path)))
        if status == 407:
            headers.append(("proxy-authenticate", 'Basic realm="proxy"'))
        self.server.stats.inc_map("responses_by_status", status)
        self.send_full(status, headers, body)
        return True

    def _drain_quietly(self):
        try:
            if not common.discard_request_body(self.rfile, self.framing):
                self.close_connection = True
        except (common.TruncatedBody, common.BadRequestBody):
            self.close_connection = True

    def read_authenticated_body(self):
        """Read the body, then authenticate.  Raises EsError/RawError."""
        body = common.read_request_body(self.rfile, self.framing)
        self.authenticate(body)
        return body

    def authenticate(self, body):
        res = self.server.auth.check(self.command, self.path, self.headers,
                                     body)
        if res is None:
            return
        scheme, reason, err = res
        self.server.stats.auth_failure(self.raw_path, scheme, reason)
        raise err

    def json_body(self, body, required=True):
        if not body:
            if required:
                raise EsError(400, "parse_exception",
                              "request body is required", violation=True)
            return None
        ct = media_type(self.headers.get("Content-Type"))
        if ct not in ACCEPTED_JSON_TYPES:
            raise RawError(406, {"error": "Content-Type header [%s] is not "
                                          "supported"
                                          % (self.headers.get("Content-Type")
                                             or ""), "status": 406},
                           violation="Content-Type [%s] on %s"
                                     % (ct, self.raw_path))
        try:
            return strict_loads(body)
        except StrictJSONError as e:
            raise EsError(400, "x_content_parse_exception", str(e),
                          violation=True)

    # ---- introspection -----------------------------------------------------

    def route_test_docs(self):
        self._drain_quietly()
        body = self.server.cluster.docs_ndjson(self.params.get("index"))
        self.send_full(200, [("content-type", "application/x-ndjson")], body)

    def route_test_stats(self):
        self._drain_quietly()
        self.send_full(200, [("content-type", "application/json")],
                       dumps(self.server.stats.snapshot(self.server), True))

    def route_test_requests(self):
        self._drain_quietly()
        with self.server.stats._lock:
            reqs = list(self.server.stats.requests)
        self.send_full(200, [("content-type", "application/json")],
                       dumps(reqs, True))

    def route_test_reset(self):
        self._drain_quietly()
        self.server.reset_state()
        self.send_full(200, [("content-type", "application/json")],
                       b'{"acknowledged":true}')

    # ---- cluster info ------------------------------------------------------

    def route_root(self):
        self.read_authenticated_body()
        self.reply(200, self.server.cluster_info())

    def route_cluster_health(self):
        self.read_authenticated_body()
        c = self.server.cluster
        with c.lock:
            n = len(c.indices)
        self.reply(200, {"cluster_name": self.server.opts.cluster_name,
                         "status": "yellow" if n else "green",
                         "timed_out": False, "number_of_nodes": 1,
                         "number_of_data_nodes": 1,
                         "active_primary_shards": n, "active_shards": n,
                         "relocating_shards": 0, "initializing_shards": 0,
                         "unassigned_shards": n,
                         "delayed_unassigned_shards": 0,
                         "number_of_pending_tasks": 0,
                         "number_of_in_flight_fetch": 0,
                         "task_max_waiting_in_queue_millis": 0,
                         "active_shards_percent_as_number": 50.0 if n
                         else 100.0})

    # ---- the bulk API ------------------------------------------------------

    def route_bulk(self, target=None):
        srv, st = self.server, self.server.stats
        n = srv.bulk_counter.next()
        st.inc("bulk_requests")
        st.bulk_started()
        started = time.monotonic()
        rec = {"n": n, "connection": self.conn_id, "method": self.command,
               "path": self.raw_path, "params": dict(self.params),
               "content_type": self.headers.get("Content-Type"),
               "content_encoding": self.headers.get("Content-Encoding"),
               "content_length": self.framing.content_length,
               "chunked": self.framing.chunked, "wire_bytes": None,
               "decoded_bytes": None, "items": None, "status": None,
               "fault": None}
        try:
            status = self._bulk(n, target, rec, started)
            rec["status"] = status
            if status is not None:
                st.inc_map("bulk_responses_by_status", status)
        finally:
            st.bulk_ended()
            st.log_request(rec)

    def _bulk(self, n, target, rec, started):
        srv, st, faults = self.server, self.server.stats, self.server.faults
        opts = srv.opts
        framing = self.framing
        if faults.reset_mid_request == n:
            st.inc_map("faults_fired", "reset_mid_request")
            rec["fault"] = "reset_mid_request"
            half = max(1, (framing.content_length or 2) // 2)
            try:
                self.rfile.read(half) if not framing.chunked else \
                    self.rfile.readline(65537)
            except OSError:
                pass
            self.reset_connection()
            return None
        encoding = media_type(self.headers.get("Content-Encoding"))
        identity = encoding in ("", "identity")
        if identity and framing.content_length is not None and \
                framing.content_length > opts.max_content_length:
            # ES answers before reading the body; drain it so the
            # connection stays usable, close if it is too big to drain.
            st.inc_map("faults_fired", "max_content_length")
            rec["fault"] = "max_content_length"
            self.reply_empty(413)
            try:
                if not common.discard_request_body(
                        self.rfile, framing, limit=opts.max_content_length * 4):
                    self.close_connection = True
            except (common.TruncatedBody, OSError):
                self.close_connection = True
            return 413
        body = common.read_request_body(self.rfile, framing)
        rec["wire_bytes"] = len(body)
        if framing.chunked:
            st.inc("chunked_requests")
            self.violation("Transfer-Encoding: chunked on _bulk (send a "
                           "Content-Length)", n)
            return self.reply_error(EsError(
                400, "illegal_argument_exception",
                "test server: chunked _bulk bodies are refused; send "
                "Content-Length"))
        try:
            self.authenticate(body)
        except (EsError, RawError) as e:
            rec["fault"] = "auth"
            return self.reply_error(e)
        raw_ct = self.headers.get("Content-Type")
        ct = media_type(raw_ct)
        st.inc_map("content_types", ct or "<none>")
        if ct not in ACCEPTED_BULK_TYPES:
            self.violation("Content-Type [%s] on _bulk" % (raw_ct or ""), n)
            return self.reply_error(RawError(
                406, {"error": "Content-Type header [%s] is not supported"
                               % (raw_ct or ""), "status": 406}))
        if encoding:
            st.inc_map("content_encodings", encoding)
        try:
            data = common.decode_content_encoding(
                body, encoding, limit=opts.max_content_length)
        except common.DecodedTooLarge:
            st.inc_map("faults_fired", "max_content_length")
            rec["fault"] = "max_content_length"
            return self.reply_empty(413, close=True)
        except common.UnsupportedEncoding:
            self.violation("unsupported Content-Encoding [%s] (ES would "
                           "mis-parse it)" % encoding, n)
            return self.reply_error(EsError(
                400, "illegal_argument_exception",
                "test server: unsupported Content-Encoding [%s]" % encoding))
        except common.CorruptEncoding as e:
            self.violation("corrupt %s body: %s" % (encoding, e), n)
            return self.reply_error(EsError(
                400, "illegal_argument_exception",
                "failed to decompress the request body: %s" % e))
        if encoding in ("gzip", "x-gzip"):
            st.inc("gzip_requests")
        elif encoding in ("deflate", "x-deflate"):
            st.inc("deflate_requests")
        rec["decoded_bytes"] = len(data)
        st.body_sizes(len(body), len(data))
        whole = faults.whole_request(n)
        if whole == "429":
            st.inc_map("faults_fired", "request_429")
            rec["fault"] = "request_429"
            reason = ("[parent] Data too large, data for [<http_request>] "
                      "would be [1027759960/980.1mb], which is larger than "
                      "the limit of [1020054732/972.7mb], real usage: "
                      "[1027758928/980.1mb], new bytes reserved: [%d/%dkb]"
                      % (len(data), max(1, len(data) // 1024)))
            return self.reply_error(EsError(
                429, "circuit_breaking_exception", reason,
                bytes_wanted=1027759960, bytes_limit=1020054732,
                durability="TRANSIENT"))
        if whole == "503":
            st.inc_map("faults_fired", "request_503")
            rec["fault"] = "request_503"
            return self.reply_error(EsError(
                503, "cluster_block_exception",
                "blocked by: [SERVICE_UNAVAILABLE/2/no master];"))
        if whole == "403":
            st.inc_map("faults_fired", "request_403")
            rec["fault"] = "request_403"
            return self.reply_error(EsError(
                403, "security_exception",
                "action [indices:data/write/bulk] is unauthorized for user "
                "[elbship] with effective roles [elbship_ship], this action "
                "is granted by the cluster privileges [manage,all]"))
        if faults.is_slow(n):
            st.inc_map("faults_fired", "slow")
            rec["fault"] = "slow"
            time.sleep(faults.slow_ms / 1000.0)
        try:
            params = self._bulk_params(n)
            actions = BulkParser().parse(
                data, target, params.get("pipeline"),
                _bool_param(params.get("require_alias"), False))
        except EsError as e:
            if e.violation:
                self.violation(e.reason, n)
            return self.reply_error(e)
        for a in actions:
            if isinstance(a.source, Exception) or (
                    a.op in ("create", "index")
                    and not isinstance(a.source, dict)):
                self.violation("line %d: source is not a JSON object: %s"
                               % (a.line + 1, a.source
                                  if isinstance(a.source, Exception)
                                  else _token_name(a.source)), n)
        items = srv.cluster.execute_bulk(actions, n, params)
        errors = any(next(iter(i.values())).get("error") is not None
                     for i in items)
        rec["items"] = len(items)
        st.inc("actions_spaced", sum(1 for a in actions if a.spaced))
        # What inputs the request carried: the distinct parts of its ids
        # before their last '-' (elbship's ids are <input>-<offset>).
        rec["id_bases"] = sorted({a.doc_id.rsplit("-", 1)[0]
                                  for a in actions if a.doc_id})
        took = int((time.monotonic() - started) * 1000)
        if faults.is_slow(n):
            took = max(took - faults.slow_ms, 0)
        resp = {"errors": errors, "took": took, "items": items}
        if faults.reset_mid_response == n:
            st.inc_map("faults_fired", "reset_mid_response")
            rec["fault"] = "reset_mid_response"
            headers, body = self.render(200, resp)
            self.send_partial_then_reset(200, headers, body)
            return None
        return self.reply(200, resp)

    def _refuse_unknown_params(self, allowed):
        """ES's 400 for query parameters the endpoint does not take."""
        unknown = sorted(k for k in self.params if k not in allowed)
        if unknown:
            raise EsError(400, "illegal_argument_exception",
                          "request [%s] contains unrecognized parameter%s: %s"
                          % (self.raw_path, "s" if len(unknown) > 1 else "",
                             ", ".join("[%s]" % u for u in unknown)),
                          violation=True)

    def _bulk_params(self, n):
        self._refuse_unknown_params(BULK_PARAMS)
        p = self.params
        if "refresh" in p and p["refresh"] not in ("", "true", "false",
                                                   "wait_for"):
            raise EsError(400, "illegal_argument_exception",
                          "Unknown value for refresh: [%s]." % p["refresh"],
                          violation=True)
        if "timeout" in p and not _TIME_VALUE.match(p["timeout"]):
            raise EsError(400, "parse_exception",
                          "failed to parse setting [timeout] with value [%s] "
                          "as a time value: unit is missing or unrecognized"
                          % p["timeout"], violation=True)
        for b in ("require_alias", "require_data_stream",
                  "list_executed_pipelines", "include_source_on_error"):
            _bool_param(p.get(b), False)
        return p

    # ---- setup endpoints ---------------------------------------------------

    def _templates_reply(self, store, key, inner, name):
        c = self.server.cluster
        with c.lock:
            names = [n for n in store if name is None
                     or any(fnmatch.fnmatchcase(n, p)
                            for p in name.split(","))]
            found = [{"name": n, inner: store[n]} for n in names]
        if name is not None and not found:
            raise EsError(404, "resource_not_found_exception",
                          "%s matching [%s] not found"
                          % ("index template" if key == "index_templates"
                             else "component template", name))
        return self.reply(200, {key: found})

    def route_index_templates(self):
        self.read_authenticated_body()
        c = self.server.cluster
        self._templates_reply(c.index_templates, "index_templates",
                              "index_template", None)

    def route_index_template(self, name):
        body = self.read_authenticated_body()
        c = self.server.cluster
        if self.command in ("PUT", "POST"):
            c.put_index_template(name, self.json_body(body),
                                 create=_bool_param(self.params.get("create"),
                                                    False))
            return self.reply(200, {"acknowledged": True})
        if self.command == "DELETE":
            with c.lock:
                if name not in c.index_templates:
                    raise EsError(404, "resource_not_found_exception",
                                  "index_template [%s] missing" % name)
                del c.index_templates[name]
            return self.reply(200, {"acknowledged": True})
        self._templates_reply(c.index_templates, "index_templates",
                              "index_template", name)

    def route_component_templates(self):
        self.read_authenticated_body()
        c = self.server.cluster
        self._templates_reply(c.component_templates, "component_templates",
                              "component_template", None)

    def route_component_template(self, name):
        body = self.read_authenticated_body()
        c = self.server.cluster
        if self.command in ("PUT", "POST"):
            c.put_component_template(name, self.json_body(body))
            return self.reply(200, {"acknowledged": True})
        if self.command == "DELETE":
            c.delete_component_template(name)
            return self.reply(200, {"acknowledged": True})
        self._templates_reply(c.component_templates, "component_templates",
                              "component_template", name)

    def _ilm_view(self, name):
        c = self.server.cluster
        with c.lock:
            p = c.ilm_policies[name]
            users = [t for t, b in c.index_templates.items()
                     if name in json.dumps(b.get("template") or {})]
            dss = [d for d, ds in c.data_streams.items()
                   if ds.template_name in users]
            return {"version": p["version"],
                    "modified_date": p["modified_date"],
                    "policy": p["policy"],
                    "in_use_by": {"indices": [], "data_streams": dss,
                                  "composable_templates": users}}

    def route_ilm_policies(self):
        self.read_authenticated_body()
        c = self.server.cluster
        with c.lock:
            names = list(c.ilm_policies)
        self.reply(200, {n: self._ilm_view(n) for n in names})

    def route_ilm_policy(self, name):
        body = self.read_authenticated_body()
        c = self.server.cluster
        if self.command == "PUT":
            c.put_ilm_policy(name, self.json_body(body))
            return self.reply(200, {"acknowledged": True})
        with c.lock:
            exists = name in c.ilm_policies
        if not exists:
            raise EsError(404, "resource_not_found_exception",
                          "Lifecycle policy not found: %s" % name)
        if self.command == "DELETE":
            with c.lock:
                del c.ilm_policies[name]
            return self.reply(200, {"acknowledged": True})
        self.reply(200, {name: self._ilm_view(name)})

    def route_data_streams(self):
        self.read_authenticated_body()
        self.reply(200, {"data_streams":
                         self.server.cluster.describe_data_streams()})

    def route_data_stream(self, name):
        body = self.read_authenticated_body()
        c = self.server.cluster
        if self.command == "PUT":
            if body:
                raise EsError(400, "illegal_argument_exception",
                              "request [%s] does not support having a body"
                              % self.raw_path, violation=True)
            c.put_data_stream(name)
            return self.reply(200, {"acknowledged": True})
        if self.command == "DELETE":
            c.delete_data_stream(name)
            return self.reply(200, {"acknowledged": True})
        found = c.describe_data_streams(name)
        if not found and "*" not in name:
            raise EsError(404, "index_not_found_exception",
                          "no such index [%s]" % name,
                          **{"resource.type": "index_or_alias",
                             "resource.id": name, "index_uuid": "_na_",
                             "index": name})
        self.reply(200, {"data_streams": found})

    def route_pipelines(self):
        self.read_authenticated_body()
        c = self.server.cluster
        with c.lock:
            self.reply(200, dict(c.pipelines))

    def route_pipeline(self, name):
        body = self.read_authenticated_body()
        c = self.server.cluster
        if self.command == "PUT":
            c.put_pipeline(name, self.json_body(body))
            return self.reply(200, {"acknowledged": True})
        with c.lock:
            found = {n: p for n, p in c.pipelines.items()
                     if any(fnmatch.fnmatchcase(n, x)
                            for x in name.split(","))}
            if self.command == "DELETE" and found:
                for n in found:
                    del c.pipelines[n]
        if not found:
            if self.command == "DELETE":
                raise EsError(404, "resource_not_found_exception",
                              "pipeline [%s] is missing" % name)
            return self.reply(404, {}, filterable=False)   # ES: 404 and {}
        if self.command == "DELETE":
            return self.reply(200, {"acknowledged": True})
        self.reply(200, found)

    def route_index(self, index):
        body = self.read_authenticated_body()
        c = self.server.cluster
        if self.command == "PUT":
            c.create_index(index, self.json_body(body, required=False))
            return self.reply(200, {"acknowledged": True,
                                    "shards_acknowledged": True,
                                    "index": index})
        if self.command == "DELETE":
            c.delete_index(index)
            return self.reply(200, {"acknowledged": True})
        with c.lock:
            if index in c.data_streams:
                found = list(c.data_streams[index].indices)
            else:
                found = [c.indices[index]] if index in c.indices else []
            if not found:
                raise EsError(404, "index_not_found_exception",
                              "no such index [%s]" % index,
                              **{"resource.type": "index_or_alias",
                                 "resource.id": index, "index_uuid": "_na_",
                                 "index": index})
            view = {}
            for idx in found:       # a data stream: every backing index
                view[idx.name] = {
                    "aliases": idx.body.get("aliases", {}),
                    "mappings": idx.body.get("mappings", {}),
                    "settings": {"index": {
                        "uuid": idx.uuid, "number_of_shards": "1",
                        "number_of_replicas": "1",
                        "provided_name": idx.name}}}
                if idx.data_stream:
                    view[idx.name]["data_stream"] = idx.data_stream
        self.reply(200, view)

    def route_rollover(self, target, new_index=None):
        body = self.read_authenticated_body()
        self._refuse_unknown_params(ROLLOVER_PARAMS)
        for t in ("timeout", "master_timeout"):
            if t in self.params and not _TIME_VALUE.match(self.params[t]):
                raise EsError(400, "parse_exception",
                              "failed to parse setting [%s] with value [%s] "
                              "as a time value: unit is missing or "
                              "unrecognized" % (t, self.params[t]),
                              violation=True)
        dry_run = _bool_param(self.params.get("dry_run"), False)
        if _bool_param(self.params.get("lazy"), False):
            raise EsError(400, "illegal_argument_exception",
                          "test server: lazy rollover is not supported",
                          violation=True)
        req = RolloverRequest(self.json_body(body, required=False))
        self.reply(200, self.server.cluster.rollover(target, new_index, req,
                                                     dry_run))

    def route_get_doc(self, index, doc_id):
        self.read_authenticated_body()
        status, doc = self.server.cluster.get_doc(index, doc_id)
        self.reply(status, doc, filterable=False)


class EsServer(common.ThreadedHTTPServer):
    def __init__(self, opts, tls_context):
        super().__init__(opts.host, opts.port, EsHandler, tls_context)
        self.opts = opts
        self.stats = Stats()
        self.faults = FaultPlan(opts)
        self.auth = Authenticator(opts.auth, opts.sigv4_max_skew_s)
        self.cluster = Cluster(opts, self.faults, self.stats)
        self.bulk_counter = common.Counter()
        self.conn_ids = common.Counter()
        self.stop = None                # set by main(): ends --hang holds
        EsHandler.verbose = opts.verbose

    def reset_state(self):
        self.stats.reset()
        self.cluster.reset()
        self.bulk_counter.reset()

    def cluster_info(self):
        o = self.opts
        version = {"number": o.version, "build_flavor": "default",
                   "build_type": "tar", "build_hash": "0" * 40,
                   "build_date": "2024-08-05T10:05:34.233336849Z",
                   "build_snapshot": False, "lucene_version": "9.11.1",
                   "minimum_wire_compatibility_version": "7.17.0",
                   "minimum_index_compatibility_version": "7.0.0"}
        tagline = "You Know, for Search"
        if o.flavor == "opensearch":
            version = {"distribution": "opensearch", "number": o.version,
                       "build_type": "tar", "build_hash": "0" * 40,
                       "build_date": "2024-08-05T10:05:34.233336849Z",
                       "build_snapshot": False, "lucene_version": "9.11.1",
                       "minimum_wire_compatibility_version": "7.10.0",
                       "minimum_index_compatibility_version": "7.0.0"}
            tagline = "The OpenSearch Project: https://opensearch.org/"
        return {"name": o.node_name, "cluster_name": o.cluster_name,
                "cluster_uuid": "elbship-test-cluster-uuid0",
                "version": version, "tagline": tagline}


# ============================================================================
# main
# ============================================================================

def parse_size(text):
    m = re.fullmatch(r"(\d+)\s*(b|kb|mb|gb)?", text.strip().lower())
    if not m:
        raise argparse.ArgumentTypeError("size like 1048576, 512kb, 100mb")
    mult = {"b": 1, "kb": 1024, "mb": 1 << 20, "gb": 1 << 30}[m.group(2) or
                                                              "b"]
    return int(m.group(1)) * mult


def parse_args(argv):
    p = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file")
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    p.add_argument("--client-ca")
    p.add_argument("--auth", action="append", default=[],
                   help="basic:USER:PASS | apikey:ENCODED | "
                        "sigv4:AKID:SECRET:REGION:es|aoss[:TOKEN]")
    p.add_argument("--sigv4-max-skew-s", type=int, default=900)
    p.add_argument("--version", default="8.15.0",
                   help="version.number reported by GET / (default 8.15.0)")
    p.add_argument("--flavor", choices=("elasticsearch", "opensearch"),
                   default="elasticsearch")
    p.add_argument("--cluster-name", default="elbship-test")
    p.add_argument("--node-name", default="es-test-node-1")
    p.add_argument("--no-builtin-templates", action="store_true")
    p.add_argument("--no-auto-create", action="store_true",
                   help="action.auto_create_index=false")
    p.add_argument("--response-compression", choices=("auto", "on", "off"),
                   default="auto")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--item-429-rate", type=float, default=0.0)
    p.add_argument("--item-503-rate", type=float, default=0.0)
    p.add_argument("--item-400-rate", type=float, default=0.0)
    p.add_argument("--item-400-index", default="*")
    p.add_argument("--item-409-ids")
    p.add_argument("--request-429-first", type=int, default=0)
    p.add_argument("--request-503-first", type=int, default=0)
    p.add_argument("--request-403-after", type=int, default=None)
    p.add_argument("--request-403-count", type=int, default=None)
    p.add_argument("--max-content-length", type=parse_size,
                   default=DEFAULT_MAX_CONTENT_LENGTH)
    p.add_argument("--reset-mid-request", type=int, default=0)
    p.add_argument("--reset-mid-response", type=int, default=0)
    p.add_argument("--slow-first", type=int, default=0)
    p.add_argument("--slow-ms", type=int, default=0)
    p.add_argument("--down-for-ms", type=int, default=0)
    p.add_argument("--idle-timeout-ms", type=int, default=0)
    p.add_argument("--hang", action="store_true",
                   help="read every request (but /_test/*), never answer")
    p.add_argument("--item-429-first", type=int, default=0)
    p.add_argument("--answer-all", type=int, default=None)
    p.add_argument("--answer-bulk", type=int, default=None)
    p.add_argument("--dump")
    p.add_argument("--verbose", action="store_true")
    opts = p.parse_args(argv)
    if bool(opts.tls_cert) != bool(opts.tls_key):
        p.error("--tls-cert and --tls-key go together")
    if opts.client_ca and not opts.tls_cert:
        p.error("--client-ca needs --tls-cert/--tls-key")
    try:
        opts.version_tuple = tuple(int(x) for x in opts.version.split(".")[:2])
    except ValueError:
        p.error("--version like 8.15.0")
    if opts.flavor == "opensearch":
        opts.version_tuple = (8, 0)     # document_parsing_exception naming
    return opts


def main(argv=None):
    opts = parse_args(sys.argv[1:] if argv is None else argv)
    tls = None
    if opts.tls_cert:
        tls = common.make_tls_context(opts.tls_cert, opts.tls_key,
                                      opts.client_ca)
    server = EsServer(opts, tls)
    stop = common.install_early_stop()
    server.stop = stop
    server.start(opts.port_file, opts.down_for_ms, stop)

    def dump():
        if opts.dump:
            with open(opts.dump, "wb") as f:
                f.write(server.cluster.docs_ndjson())
            with open(opts.dump + ".stats.json", "wb") as f:
                f.write(dumps(server.stats.snapshot(server), True))

    if opts.verbose:
        sys.stderr.write("es_server listening on %s:%d\n"
                         % (opts.host, server.port))
    common.run_until_signal([server], on_stop=dump, stop_event=stop)


if __name__ == "__main__":
    main()
