#!/usr/bin/env python3
"""s3util.py: a small S3 client for elbship's tests (Python 3 standard
library only, its own AWS Signature Version 4 signing, keep-alive
connections, path-style URLs).

Credentials and endpoint come from the environment that
tests/s3/s3rver.sh writes to DIR/env (AWS_ENDPOINT_URL_S3,
AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION), or from
`--env-file DIR/env`.  `--endpoint URL` overrides the endpoint (e.g. to go
through tests/s3/dropproxy.py).

  s3util.py mb BUCKET                      create a bucket
  s3util.py rb BUCKET                      delete an (empty) bucket
  s3util.py put BUCKET KEY [FILE]          upload FILE (default: stdin)
  s3util.py put-many BUCKET FORMAT COUNT [--size N] [--threads T]
                                           COUNT small objects, key FORMAT % i
                                           (Python %-format, i from 1), e.g.
                                           'logs/obj-%05d.log'
  s3util.py put-dir BUCKET PREFIX DIR      every file under DIR as PREFIX+relpath
  s3util.py put-list BUCKET LIST           LIST: lines KEY<TAB>FILE; uploads each
  s3util.py get-list BUCKET LIST           LIST: lines KEY<TAB>FILE; downloads each
  s3util.py get BUCKET KEY [-o FILE] [--range bytes=A-B]
  s3util.py head BUCKET KEY                status and headers
  s3util.py ls BUCKET [--prefix P] [--delimiter D] [--max-keys N]
               [--encoding-type url] [--pages] [--json]
                                           every key (all pages, ListObjectsV2),
                                           one per line; --pages: one line per
                                           page on stderr (KeyCount, IsTruncated,
                                           NextContinuationToken)
  s3util.py rm BUCKET KEY...               delete objects
  s3util.py rm-all BUCKET [--prefix P]     delete every object (under P): batches
                                           of 1000 with DeleteObjects, except keys
                                           s3rver's XML parser would mangle
  s3util.py request METHOD PATH [--query Q] [-H 'Name: v']... [--data FILE]
                                           one signed request, PATH as sent
                                           (already encoded); prints status,
                                           headers, body
  s3util.py presign BUCKET KEY [--expires S] a presigned GET URL
  s3util.py selfcheck                      AWS SigV4 known-answer test

Global options: --env-file F, --endpoint URL, --access-key-id ID,
--secret-access-key S (e.g. a wrong one, to see 403), --region R,
--unsigned (send no Authorization), --verbose.
Exit status: 0 ok, 1 an HTTP error (status and S3 error code on stderr),
2 usage.
"""

import argparse
import concurrent.futures
import datetime
import hashlib
import hmac
import http.client
import json
import os
import sys
import threading
import urllib.parse
import xml.etree.ElementTree as ET

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"


def uri_encode(s, keep_slash=False):
    """RFC 3986 encoding of the UTF-8 bytes of s, as SigV4 wants."""
    safe = UNRESERVED + ("/" if keep_slash else "")
    if isinstance(s, str):
        s = s.encode("utf-8")
    return "".join(chr(b) if chr(b) in safe else "%%%02X" % b for b in s)


def key_path(bucket, key=None):
    """Path-style request path; the key is encoded byte for byte, '/' kept
    (so 'a//b' stays 'a//b', 'é' is %C3%A9, '+' is %2B, '%' is %25)."""
    if key is None:
        return "/" + uri_encode(bucket)
    return "/" + uri_encode(bucket) + "/" + uri_encode(key, keep_slash=True)


def canonical_query(params):
    """params: list of (name, value) str pairs -> sorted, strictly encoded."""
    pairs = sorted((uri_encode(n), uri_encode(v)) for n, v in params)
    return "&".join("%s=%s" % p for p in pairs)


def signing_key(secret, date, region, service="s3"):
    k = hmac.new(("AWS4" + secret).encode(), date.encode(), hashlib.sha256).digest()
    for part in (region, service, "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    return k


def sign(method, path, query, headers, payload_hash, key_id, secret, region, now=None):
    """Adds x-amz-date, x-amz-content-sha256 and Authorization to headers
    (a dict of lower-case names).  path: as sent; query: canonical string."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    amz_date = now.strftime("%Y%m%dT%H%M%SZ")
    date = amz_date[:8]
    headers["x-amz-date"] = amz_date
    headers["x-amz-content-sha256"] = payload_hash
    names = sorted(headers)
    canon_headers = "".join("%s:%s\n" % (n, " ".join(str(headers[n]).split())) for n in names)
    signed = ";".join(names)
    creq = "\n".join([method, path, query, canon_headers, signed, payload_hash])
    scope = "%s/%s/s3/aws4_request" % (date, region)
    sts = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                     hashlib.sha256(creq.encode("utf-8")).hexdigest()])
    sig = hmac.new(signing_key(secret, date, region), sts.encode(), hashlib.sha256).hexdigest()
    headers["authorization"] = "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s" % (
        key_id, scope, signed, sig)
    return creq, sts


class S3Error(Exception):
    def __init__(self, status, code, message, body):
        super().__init__("HTTP %d %s: %s" % (status, code or "-", message or ""))
        self.status, self.code, self.body = status, code, body


def strip_ns(tag):
    return tag.rsplit("}", 1)[-1]


def xml_children(elem, name):
    return [c for c in elem if strip_ns(c.tag) == name]


def xml_text(elem, name, default=None):
    for c in elem:
        if strip_ns(c.tag) == name:
            return c.text if c.text is not None else ""
    return default


def parse_error(status, body):
    try:
        root = ET.fromstring(body)
        return xml_text(root, "Code"), xml_text(root, "Message")
    except ET.ParseError:
        # s3rver writes non-ASCII in error details as HTML named entities
        # (&eacute;), which XML does not define: fall back to a plain scan.
        text = body.decode("utf-8", "replace")
        code = text.split("<Code>", 1)[1].split("</Code>", 1)[0] if "<Code>" in text else None
        msg = text.split("<Message>", 1)[1].split("</Message>", 1)[0] if "<Message>" in text else None
        return code, msg
    except Exception:
        return None, body[:200].decode("utf-8", "replace")


class Client:
    def __init__(self, endpoint, key_id, secret, region, unsigned=False, verbose=False):
        u = urllib.parse.urlsplit(endpoint)
        if u.scheme != "http":
            raise SystemExit("s3util: only http:// endpoints (got %r)" % endpoint)
        self.host = u.hostname
        self.port = u.port or 80
        self.host_header = u.netloc
        self.key_id, self.secret, self.region = key_id, secret, region
        self.unsigned, self.verbose = unsigned, verbose
        self.local = threading.local()

    def conn(self, fresh=False):
        c = getattr(self.local, "conn", None)
        if c is None or fresh:
            if c is not None:
                c.close()
            c = http.client.HTTPConnection(self.host, self.port, timeout=30)
            self.local.conn = c
        return c

    def request(self, method, path, params=(), body=b"", headers=None, ok=(200, 204, 206)):
        """One signed request.  Returns (status, headers dict, body bytes);
        raises S3Error for a status not in ok."""
        query = canonical_query(params)
        hdrs = {k.lower(): v for k, v in (headers or {}).items()}
        hdrs["host"] = self.host_header
        payload_hash = hashlib.sha256(body).hexdigest()
        if not self.unsigned:
            sign(method, path, query, hdrs, payload_hash, self.key_id, self.secret, self.region)
        target = path + ("?" + query if query else "")
        if body or method in ("PUT", "POST"):
            hdrs["content-length"] = str(len(body))
        for attempt in (0, 1):
            c = self.conn(fresh=attempt > 0)
            try:
                c.request(method, target, body=body or None, headers=hdrs)
                r = c.getresponse()
                data = r.read()
                break
            except (ConnectionError, http.client.RemoteDisconnected, http.client.BadStatusLine):
                # a kept-alive connection the server closed (s3rver's
                # keep-alive timeout is 5 s): retry once on a new one
                if attempt:
                    raise
        rh = {k.lower(): v for k, v in r.getheaders()}
        if self.verbose:
            sys.stderr.write("%s %s -> %d (%d bytes)\n" % (method, target, r.status, len(data)))
        if r.status not in ok:
            code, msg = parse_error(r.status, data)
            raise S3Error(r.status, code, msg, data)
        return r.status, rh, data

    # ---- operations --------------------------------------------------
    def make_bucket(self, bucket):
        return self.request("PUT", key_path(bucket))

    def remove_bucket(self, bucket):
        return self.request("DELETE", key_path(bucket))

    def put(self, bucket, key, data, content_type="application/octet-stream"):
        _, h, _ = self.request("PUT", key_path(bucket, key), body=data,
                               headers={"content-type": content_type})
        return h.get("etag")

    def get(self, bucket, key, range_=None):
        return self.request("GET", key_path(bucket, key),
                            headers={"range": range_} if range_ else None)

    def head(self, bucket, key):
        return self.request("HEAD", key_path(bucket, key))

    def delete(self, bucket, key):
        return self.request("DELETE", key_path(bucket, key))

    def list_pages(self, bucket, prefix=None, delimiter=None, max_keys=None, encoding_type=None):
        """Yields one dict per ListObjectsV2 page: keys, prefixes, key_count,
        truncated, token (NextContinuationToken), encoding_type (as echoed)."""
        token = None
        while True:
            params = [("list-type", "2")]
            if prefix is not None:
                params.append(("prefix", prefix))
            if delimiter is not None:
                params.append(("delimiter", delimiter))
            if max_keys is not None:
                params.append(("max-keys", str(max_keys)))
            if encoding_type:
                params.append(("encoding-type", encoding_type))
            if token:
                params.append(("continuation-token", token))
            _, _, body = self.request("GET", key_path(bucket), params)
            root = ET.fromstring(body)
            echoed = xml_text(root, "EncodingType")
            dec = (lambda s: urllib.parse.unquote_plus(s)) if echoed == "url" else (lambda s: s)
            page = {
                "keys": [dec(xml_text(c, "Key")) for c in xml_children(root, "Contents")],
                "sizes": [int(xml_text(c, "Size", "0")) for c in xml_children(root, "Contents")],
                "etags": [xml_text(c, "ETag") for c in xml_children(root, "Contents")],
                "prefixes": [dec(xml_text(c, "Prefix")) for c in xml_children(root, "CommonPrefixes")],
                "key_count": int(xml_text(root, "KeyCount", "-1")),
                "truncated": xml_text(root, "IsTruncated") == "true",
                "token": xml_text(root, "NextContinuationToken"),
                "encoding_type": echoed,
            }
            yield page
            if not page["truncated"]:
                return
            if not page["token"]:
                raise S3Error(0, "NoToken", "IsTruncated without NextContinuationToken", body)
            token = page["token"]

    def delete_many(self, bucket, keys):
        """DeleteObjects (POST ?delete), 1000 keys a request."""
        import base64
        from xml.sax.saxutils import escape
        for i in range(0, len(keys), 1000):
            body = ("<Delete><Quiet>true</Quiet>" + "".join(
                "<Object><Key>%s</Key></Object>" % escape(k) for k in keys[i:i + 1000]) + "</Delete>").encode()
            md5 = base64.b64encode(hashlib.md5(body).digest()).decode()
            self.request("POST", key_path(bucket), [("delete", "")], body,
                         {"content-type": "application/xml", "content-md5": md5})

    def presign(self, bucket, key, expires=300, method="GET"):
        now = datetime.datetime.now(datetime.timezone.utc)
        amz_date = now.strftime("%Y%m%dT%H%M%SZ")
        scope = "%s/%s/s3/aws4_request" % (amz_date[:8], self.region)
        path = key_path(bucket, key)
        params = [("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
                  ("X-Amz-Credential", "%s/%s" % (self.key_id, scope)),
                  ("X-Amz-Date", amz_date), ("X-Amz-Expires", str(expires)),
                  ("X-Amz-SignedHeaders", "host")]
        query = canonical_query(params)
        creq = "\n".join([method, path, query, "host:%s\n" % self.host_header, "host", "UNSIGNED-PAYLOAD"])
        sts = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(creq.encode()).hexdigest()])
        sig = hmac.new(signing_key(self.secret, amz_date[:8], self.region), sts.encode(), hashlib.sha256).hexdigest()
        return "http://%s%s?%s&X-Amz-Signature=%s" % (self.host_header, path, query, sig)


def rm_all(c, a, keys):
    # s3rver parses the DeleteObjects body with fast-xml-parser 3
    # defaults: a numeric-looking key ("0001", "1e5") becomes a
    # number and values are trimmed, so such keys go one by one.
    def batchable(k):
        if k != k.strip() or k.lower() in ("true", "false"):
            return False
        try:
            float(k)
            return False
        except ValueError:
            return not k.lower().startswith("0x")
    batch = [k for k in keys if batchable(k)]
    single = [k for k in keys if not batchable(k)]
    c.delete_many(a.bucket, batch)
    with concurrent.futures.ThreadPoolExecutor(a.threads) as ex:
        list(ex.map(lambda k: c.delete(a.bucket, k), single))


def load_env_file(path):
    env = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("export "):
                line = line[7:]
            if "=" in line and not line.startswith("#"):
                k, v = line.split("=", 1)
                env[k] = v.strip("'\"")
    return env


def selfcheck():
    """AWS's published SigV4 example (S3 GET Object with Range, from the
    'Signature Calculations for the Authorization Header' page)."""
    hdrs = {"host": "examplebucket.s3.amazonaws.com", "range": "bytes=0-9"}
    now = datetime.datetime(2013, 5, 24, tzinfo=datetime.timezone.utc)
    sign("GET", "/test.txt", "", hdrs, EMPTY_SHA256, "AKIAIOSFODNN7EXAMPLE",
         "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "us-east-1", now)
    want = "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
    got = hdrs["authorization"].rsplit("Signature=", 1)[1]
    print("selfcheck: %s" % ("ok" if got == want else "FAILED (got %s)" % got))
    return 0 if got == want else 1


def main(argv=None):
    ap = argparse.ArgumentParser(prog="s3util.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("--env-file")
    ap.add_argument("--endpoint")
    ap.add_argument("--access-key-id")
    ap.add_argument("--secret-access-key")
    ap.add_argument("--region")
    ap.add_argument("--unsigned", action="store_true")
    ap.add_argument("--verbose", "-v", action="store_true")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("mb"); p.add_argument("bucket")
    p = sub.add_parser("rb"); p.add_argument("bucket")
    p = sub.add_parser("put"); p.add_argument("bucket"); p.add_argument("key"); p.add_argument("file", nargs="?", default="-")
    p.add_argument("--content-type", default="application/octet-stream")
    p = sub.add_parser("put-many"); p.add_argument("bucket"); p.add_argument("format"); p.add_argument("count", type=int)
    p.add_argument("--size", type=int, default=16); p.add_argument("--threads", type=int, default=8)
    p.add_argument("--start", type=int, default=1)
    p = sub.add_parser("put-dir"); p.add_argument("bucket"); p.add_argument("prefix"); p.add_argument("dir")
    p.add_argument("--threads", type=int, default=8)
    p = sub.add_parser("put-list"); p.add_argument("bucket"); p.add_argument("list")
    p = sub.add_parser("get-list"); p.add_argument("bucket"); p.add_argument("list")
    p = sub.add_parser("get"); p.add_argument("bucket"); p.add_argument("key"); p.add_argument("-o", "--output", default="-")
    p.add_argument("--range")
    p = sub.add_parser("head"); p.add_argument("bucket"); p.add_argument("key")
    p = sub.add_parser("ls"); p.add_argument("bucket"); p.add_argument("--prefix"); p.add_argument("--delimiter")
    p.add_argument("--max-keys", type=int); p.add_argument("--encoding-type"); p.add_argument("--pages", action="store_true")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("rm"); p.add_argument("bucket"); p.add_argument("keys", nargs="+")
    p = sub.add_parser("rm-all"); p.add_argument("bucket"); p.add_argument("--prefix"); p.add_argument("--threads", type=int, default=8)
    p = sub.add_parser("request"); p.add_argument("method"); p.add_argument("path"); p.add_argument("--query", default="")
    p.add_argument("-H", "--header", action="append", default=[]); p.add_argument("--data")
    p = sub.add_parser("presign"); p.add_argument("bucket"); p.add_argument("key"); p.add_argument("--expires", type=int, default=300)
    sub.add_parser("selfcheck")
    a = ap.parse_args(argv)

    if a.cmd == "selfcheck":
        return selfcheck()

    env = dict(os.environ)
    if a.env_file:
        env.update(load_env_file(a.env_file))
    endpoint = a.endpoint or env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL")
    key_id = a.access_key_id or env.get("AWS_ACCESS_KEY_ID")
    secret = a.secret_access_key or env.get("AWS_SECRET_ACCESS_KEY")
    region = a.region or env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1"
    if not endpoint or not key_id or secret is None:
        ap.error("need AWS_ENDPOINT_URL_S3, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (or --env-file)")
    c = Client(endpoint, key_id, secret, region, unsigned=a.unsigned, verbose=a.verbose)

    try:
        if a.cmd == "mb":
            c.make_bucket(a.bucket)
        elif a.cmd == "rb":
            c.remove_bucket(a.bucket)
        elif a.cmd == "put":
            data = sys.stdin.buffer.read() if a.file == "-" else open(a.file, "rb").read()
            print(c.put(a.bucket, a.key, data, a.content_type))
        elif a.cmd == "put-many":
            def one(i):
                key = a.format % i
                body = (("%s\n" % key).encode() * (a.size // (len(key) + 1) + 1))[:a.size]
                c.put(a.bucket, key, body)
            with concurrent.futures.ThreadPoolExecutor(a.threads) as ex:
                list(ex.map(one, range(a.start, a.start + a.count)))
            print("put %d objects" % a.count, file=sys.stderr)
        elif a.cmd == "put-dir":
            files = []
            for d, _, names in os.walk(a.dir):
                for n in names:
                    full = os.path.join(d, n)
                    files.append((full, a.prefix + os.path.relpath(full, a.dir).replace(os.sep, "/")))
            with concurrent.futures.ThreadPoolExecutor(a.threads) as ex:
                list(ex.map(lambda fk: c.put(a.bucket, fk[1], open(fk[0], "rb").read()), sorted(files)))
            print("put %d files" % len(files), file=sys.stderr)
        elif a.cmd in ("put-list", "get-list"):
            with open(a.list, encoding="utf-8") as f:
                pairs = [line.rstrip("\n").split("\t", 1) for line in f if line.strip()]
            for key, path in pairs:
                if a.cmd == "put-list":
                    with open(path, "rb") as f:
                        c.put(a.bucket, key, f.read())
                else:
                    _, _, data = c.get(a.bucket, key)
                    with open(path, "wb") as f:
                        f.write(data)
        elif a.cmd == "get":
            status, _, data = c.get(a.bucket, a.key, a.range)
            if a.output == "-":
                sys.stdout.buffer.write(data)
            else:
                with open(a.output, "wb") as f:
                    f.write(data)
        elif a.cmd == "head":
            status, h, _ = c.head(a.bucket, a.key)
            print(status)
            for k in sorted(h):
                print("%s: %s" % (k, h[k]))
        elif a.cmd == "ls":
            allkeys = []
            for n, page in enumerate(c.list_pages(a.bucket, a.prefix, a.delimiter, a.max_keys, a.encoding_type), 1):
                if a.pages:
                    print("page %d: KeyCount=%d keys=%d prefixes=%d IsTruncated=%s NextContinuationToken=%s EncodingType=%s"
                          % (n, page["key_count"], len(page["keys"]), len(page["prefixes"]),
                             str(page["truncated"]).lower(), page["token"] or "-", page["encoding_type"] or "-"),
                          file=sys.stderr)
                allkeys.extend(page["prefixes"])
                allkeys.extend(page["keys"])
            if a.json:
                print(json.dumps(allkeys, ensure_ascii=False))
            else:
                for k in allkeys:
                    print(k)
        elif a.cmd == "rm":
            for k in a.keys:
                c.delete(a.bucket, k)
        elif a.cmd == "rm-all":
            total = 0
            for _round in range(5):
                keys = [k for p in c.list_pages(a.bucket, a.prefix) for k in p["keys"]]
                if not keys:
                    break
                total = max(total, len(keys))
                try:
                    rm_all(c, a, keys)
                except S3Error as e:
                    # s3rver races removing emptied directories when several
                    # deletes in one directory run at once (500 ENOENT
                    # scandir); the objects are gone, so list and go again.
                    if e.status != 500:
                        raise
            else:
                raise S3Error(0, "NotEmpty", "objects left after 5 rounds", b"")
            print("deleted %d objects" % total, file=sys.stderr)
        elif a.cmd == "request":
            headers = {}
            for h in a.header:
                n, v = h.split(":", 1)
                headers[n.strip()] = v.strip()
            body = open(a.data, "rb").read() if a.data else b""
            params = urllib.parse.parse_qsl(a.query, keep_blank_values=True)
            status, h, data = c.request(a.method.upper(), a.path, params, body, headers, ok=range(100, 600))
            print(status)
            for k in sorted(h):
                print("%s: %s" % (k, h[k]))
            print()
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
            return 0 if status < 400 else 1
        elif a.cmd == "presign":
            print(c.presign(a.bucket, a.key, a.expires))
    except S3Error as e:
        print("s3util: %s %s: %s" % (a.cmd, getattr(a, "bucket", ""), e), file=sys.stderr)
        return 1
    except (OSError, http.client.HTTPException) as e:
        # connection refused or reset, a body cut short (IncompleteRead), ...
        print("s3util: %s %s: %s: %s" % (a.cmd, getattr(a, "bucket", ""), type(e).__name__, e), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
