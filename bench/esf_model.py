#!/usr/bin/env python3
"""esf_model.py: a stand-in for Elastic Serverless Forwarder's per-line work.

Elastic Serverless Forwarder (ESF, github.com/elastic/elastic-serverless-forwarder)
is a Python Lambda function.  It cannot run here (no AWS, no PyPI), so this
script does, in the same order and with the same library calls, the work
ESF's code does for one S3 object of an ALB log reaching an `s3-sqs` input
with an `elasticsearch` output, its defaults (no multiline, no JSON
content type, no include/exclude filter, batch_max_actions 500,
batch_max_bytes 10 MiB), and measures its CPU seconds.  Written from ESF's
source as read in December 2026; each step names the file it models:

  storage/s3.py       get_by_lines(): the whole object downloaded into a
                      BytesIO (download_fileobj), gzip detected by its first
                      line, then the decorators below over it.
  storage/decorator.py
    inflate           gzip.GzipFile over the BytesIO, read in CHUNK_SIZE
                      (storage/storage.py: 1 MiB) pieces, each copied through
                      a fresh BytesIO.
    by_lines          the piece is appended to the unfinished line, decoded
                      as UTF-8 as a whole, str.splitlines(), the newline
                      kind looked up (find), the last piece kept, every
                      line encoded back to bytes, offsets counted, a debug
                      log call per line.
    json_collector    json_content_type unset: every line is decoded again
                      and lstrip()ed to see whether it starts a JSON object
                      ("{"); an ALB line never does, so it is passed on.
    multi_line        no multiline processor: a debug log call per line.
  handlers/aws/s3_sqs_trigger.py
                      _handle_s3_sqs_event(): per line, the event dict:
                      @timestamp from utcnow().strftime(), the message
                      decoded, log.offset, log.file.path (format), the
                      aws.s3 bucket and key, cloud.*, meta.event_time and
                      meta.integration_scope ("aws.elb_logs" from the key).
  handlers/aws/handler.py
                      per event: composite shipper send(), then the
                      remaining-time check.
  shippers/es.py      send(): _enrich_event() (tags, data_stream, event
                      .dataset), _op_type "create", _index
                      logs-aws.elb_logs-default, _id from
                      handlers/aws/utils.py s3_object_id() (a SHA3-384 hex
                      digest of "<bucket arn>-<key>" for every event, then
                      "<event_time>-<digest>-<offset:012d>"),
                      share/events.py normalise_event() (fields moved to the
                      root, meta dropped); every 500 events, flush().
  elasticsearch-py 7.16.3 (ESF's requirements.txt) helpers.bulk():
                      expand_action() (a copy of the dict, the metadata
                      popped into the action), the action and the source
                      each serialised with ESF's serializer (share/json.py:
                      orjson.dumps(...).decode()), their UTF-8 sizes added
                      up against max_chunk_bytes, the chunk joined with
                      "\\n", encoded, and gzip-compressed by the connection
                      (http_compress=True: gzip.GzipFile, level 9, the
                      default); the response's items parsed (orjson.loads)
                      and walked.

What is not modelled, all of which would add to ESF's cost: boto3's S3
download (TLS, HTTP, its threads), the HTTPS request to Elasticsearch and
the time the function waits for each _bulk answer (billed: ESF sends its
batches one at a time), the SQS calls, Lambda's runtime loop, the
elastic-apm and ecs-logging wrappers.  Python is this machine's (ESF runs
3.12 since v1.20.0); orjson is used when importable, as ESF does, else the
standard library's json (slower: the output says which).

    esf_model.py FILE.log.gz [--key S3_KEY] [--out /dev/null]

Prints one JSON object: lines, docs, requests,
body_bytes (gzip), cpu_s (user+sys of this process for the object, start-up
excluded: a warm Lambda), serializer.
"""
import argparse
import datetime
import gzip
import hashlib
import io
import json
import logging
import os
import resource
import sys
from urllib.parse import unquote_plus

try:
    import orjson

    def dumps(obj):
        return orjson.dumps(obj).decode("utf-8")

    loads = orjson.loads
    SERIALIZER = "orjson " + orjson.__version__
except ImportError:  # the standard library: compact, like orjson's output
    def dumps(obj):
        return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)

    loads = json.loads
    SERIALIZER = "json (stdlib)"

CHUNK = 1024 * 1024          # storage/storage.py CHUNK_SIZE
BATCH_ACTIONS = 500          # shippers/es.py batch_max_actions default
BATCH_BYTES = 10 * 1024 * 1024   # batch_max_bytes default

log = logging.getLogger("esf")   # ESF's shared_logger; Lambda's default
log.setLevel(logging.INFO)       # LOG_LEVEL is INFO: debug calls are no-ops
log.addHandler(logging.NullHandler())


def inflate(body):
    """The inflate decorator: 1 MiB pieces of the decompressed object."""
    stream = gzip.GzipFile(fileobj=body)
    stream.seek(0)
    while True:
        piece = stream.read(CHUNK)
        if not piece:
            return
        buf = io.BytesIO()
        buf.write(piece)
        yield buf.getvalue()


def by_lines(pieces):
    """The by_lines decorator: (line, start offset, end offset)."""
    end = 0
    rest = b""
    for piece in pieces:
        rest += piece
        lines = rest.decode("utf-8").splitlines()
        if not lines:
            continue
        if rest.find(b"\r\n") > -1:
            nl = b"\r\n"
        elif rest.find(b"\n") > -1:
            nl = b"\n"
        else:
            nl = b""
        last = lines.pop().encode()
        rest = last + nl if rest.endswith(nl) else last
        for text in lines:
            raw = text.encode("utf-8")
            start = end
            end += len(raw) + len(nl)
            log.debug("by_line lines", extra={"offset": end})
            yield raw, start, end, nl
    if rest:
        nl = b"\r\n" if rest.endswith(b"\r\n") else b"\n" if rest.endswith(b"\n") else b""
        rest = rest.rstrip(nl)
        start = end
        end += len(rest) + len(nl)
        yield rest, start, end, nl


def json_collector(lines):
    """json_collector with json_content_type unset, for lines that never
    start a JSON object: the start is looked for on every line."""
    starting = ending = 0
    for data, start, end, nl in lines:
        stripped = data.decode("utf-8").lstrip()
        if stripped and stripped[0] == "{":
            raise SystemExit("esf_model: a line starts with '{': not an ALB log")
        starting = ending
        ending += len(data) + len(nl)
        yield data, start, end, nl


def multi_line(lines):
    for data, start, end, nl in lines:
        log.debug("no multi_line processor configured, processing as single line",
                  extra={"offset": end})
        yield data, start, end, nl


def integration_scope(key):
    if "/elasticloadbalancing/" in key:  # handlers/aws/utils.py
        return "aws.elb_logs"
    return "generic"


def s3_events(body, record, input_id):
    """_handle_s3_sqs_event(): one event dict per line."""
    account_id = input_id.split(":")[4]
    region = record["awsRegion"]
    bucket_arn = unquote_plus(record["s3"]["bucket"]["arn"], "utf-8")
    key = unquote_plus(record["s3"]["object"]["key"], "utf-8")
    event_time = int(datetime.datetime.strptime(
        record["eventTime"], "%Y-%m-%dT%H:%M:%S.%fZ").timestamp() * 1000)
    scope = integration_scope(key)
    bucket = bucket_arn.split(":")[-1]
    body.seek(0)
    if not body.readline().startswith(b"\037\213"):
        raise SystemExit("esf_model: the object is not gzip")
    body.seek(0)
    for line, start, end, _ in multi_line(json_collector(by_lines(inflate(body)))):
        yield {
            "@timestamp": datetime.datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "fields": {
                "message": line.decode("utf-8"),
                "log": {
                    "offset": start,
                    "file": {"path": "https://{0}.s3.{1}.amazonaws.com/{2}".format(
                        bucket, region, key)},
                },
                "aws": {"s3": {"bucket": {"name": bucket, "arn": bucket_arn},
                               "object": {"key": key}}},
                "cloud": {"provider": "aws", "region": region,
                          "account": {"id": account_id}},
            },
            "meta": {"event_time": event_time, "integration_scope": scope},
        }


def s3_object_id(ev):
    """handlers/aws/utils.py s3_object_id() with share/utils.py
    get_hex_prefix() (SHA3-384)."""
    offset = ev["fields"]["log"]["offset"]
    src = "{}-{}".format(ev["fields"]["aws"]["s3"]["bucket"]["arn"],
                         ev["fields"]["aws"]["s3"]["object"]["key"])
    digest = hashlib.sha3_384(src.encode("utf-8")).hexdigest()
    return f"{ev['meta']['event_time']}-{digest}-{offset:012d}"


# elasticsearch-py's helpers.expand_action(): these keys move to the action
# line, the first set without their leading underscore.
META_KEYS = ("_id", "_index", "_if_seq_no", "_if_primary_term", "_parent",
             "_percolate", "_retry_on_conflict", "_routing", "_timestamp",
             "_type", "_version", "_version_type", "if_seq_no",
             "if_primary_term", "parent", "pipeline", "retry_on_conflict",
             "routing", "version", "version_type")
STRIP = {"_if_seq_no", "_if_primary_term", "_parent", "_retry_on_conflict",
         "_routing", "_version", "_version_type"}


def expand_action(data):
    data = data.copy()
    op = data.pop("_op_type", "index")
    action = {op: {}}
    for k in META_KEYS:
        if k in data:
            action[op][k[1:] if k in STRIP else k] = data.pop(k)
    return action, data.get("_source", data)


class Sink:
    """What elasticsearch-py's client does with one _bulk body, up to the
    socket: encode, gzip at the default level (9), write; then parse an
    answer of the size Elasticsearch sends for it (one create item each)."""

    def __init__(self, fd, index):
        self.fd = fd
        self.requests = 0
        self.bytes = 0
        item = {"create": {"_index": ".ds-" + index + "-2026.12.07-000001",
                           "_id": "x" * 130, "_version": 1, "result": "created",
                           "_shards": {"total": 2, "successful": 1, "failed": 0},
                           "_seq_no": 0, "_primary_term": 1, "status": 201}}
        self.item = item
        self.answers = {}

    def answer(self, n):
        if n not in self.answers:
            self.answers[n] = orjson_bytes({"took": 30, "errors": False,
                                            "items": [self.item] * n})
        return self.answers[n]

    def bulk(self, lines, n):
        body = ("\n".join(lines) + "\n").encode("utf-8")
        buf = io.BytesIO()
        with gzip.GzipFile(fileobj=buf, mode="wb") as f:
            f.write(body)
        out = buf.getvalue()
        os.write(self.fd, out)
        self.requests += 1
        self.bytes += len(out)
        return loads(self.answer(n))


def orjson_bytes(obj):
    return dumps(obj).encode("utf-8")


def bulk(sink, actions):
    """helpers.bulk(): chunks by count and bytes, each chunk sent, each
    item checked."""
    chunk, data, size = [], [], 0
    ok = 0

    def send():
        nonlocal ok
        resp = sink.bulk(chunk, len(data))
        for _, item in zip(data, resp["items"]):
            op, res = item.popitem()
            if 200 <= res.get("status", 500) < 300:
                ok += 1
            _ = (True, {op: res})  # what streaming_bulk() yields per item

    for ev in actions:
        action, src = expand_action(ev)
        a = dumps(action)
        s = dumps(src)
        cur = len(a.encode("utf-8")) + 1 + len(s.encode("utf-8")) + 1
        if chunk and (size + cur > BATCH_BYTES or len(data) == BATCH_ACTIONS):
            send()
            chunk, data, size = [], [], 0
        chunk.append(a)
        chunk.append(s)
        data.append((action, src))
        size += cur
    if chunk:
        send()
    return ok


class Shipper:
    """shippers/es.py ElasticsearchShipper with ESF's defaults."""

    def __init__(self, sink):
        self.sink = sink
        self.actions = []
        self.index = ""
        self.dataset = ""
        self.namespace = ""
        self.sent = 0

    def send(self, ev):
        if not self.index:
            self.namespace = "default"
            self.dataset = ev["meta"].get("integration_scope", "generic")
            self.index = f"logs-{self.dataset}-{self.namespace}"
        if "fields" in ev:  # _enrich_event()
            ev["tags"] = ["forwarded"]
            ev["data_stream"] = {"type": "logs", "dataset": self.dataset,
                                 "namespace": self.namespace}
            ev["event"] = {"dataset": self.dataset}
            ev["tags"] += [self.dataset.replace(".", "-")]
            ev["tags"] += []
        ev["_op_type"] = "create"
        if "_index" not in ev:
            ev["_index"] = self.index
        if "_id" not in ev:
            ev["_id"] = s3_object_id(ev)
        if "fields" in ev:  # share/events.py normalise_event()
            fields = ev["fields"]
            for k in fields.keys():
                ev[k] = fields[k]
            del ev["fields"]
        if "meta" in ev:
            del ev["meta"]
        self.actions.append(ev)
        if len(self.actions) < BATCH_ACTIONS:
            return "buffered"
        self.flush()
        return "sent"

    def flush(self):
        if self.actions:
            self.sent += bulk(self.sink, self.actions)
        self.actions = []


class Context:  # the Lambda context's remaining-time check, per event
    def get_remaining_time_in_millis(self):
        return 600000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--key", default="AWSLogs/111122223333/elasticloadbalancing/eu-west-1/"
                    "2025/11/03/111122223333_elasticloadbalancing_eu-west-1_app.bench-alb."
                    "0123456789abcdef_20251103T1400Z_10.0.4.30_esf.log.gz")
    ap.add_argument("--out", default="/dev/null")
    a = ap.parse_args()
    record = {"awsRegion": "eu-west-1", "eventTime": "2025-11-03T14:01:07.512Z",
              "s3": {"bucket": {"arn": "arn:aws:s3:::elb-logs"},
                     "object": {"key": a.key}}}
    input_id = "arn:aws:sqs:eu-west-1:111122223333:elb-logs-queue"
    fd = os.open(a.out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    body = io.BytesIO(b"")           # download_fileobj() into memory
    with open(a.file, "rb") as f:
        while True:
            part = f.read(8 * 1024 * 1024)
            if not part:
                break
            body.write(part)
    body.flush()
    sink = Sink(fd, "logs-aws.elb_logs-default")
    shipper = Shipper(sink)
    ctx = Context()
    lines = 0
    for ev in s3_events(body, record, input_id):
        lines += 1
        shipper.send(ev)
        if ctx.get_remaining_time_in_millis() < 120000:
            break
    shipper.flush()
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    os.close(fd)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    print(json.dumps({"lines": lines, "docs": shipper.sent,
                      "requests": sink.requests, "body_bytes": sink.bytes,
                      "cpu_s": round(cpu, 3), "serializer": SERIALIZER,
                      "python": sys.version.split()[0]}))
    return 0 if shipper.sent == lines else 1


if __name__ == "__main__":
    sys.exit(main())
