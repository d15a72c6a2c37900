#!/usr/bin/env python3
"""sigv4.py: AWS Signature Version 4 for the elbship test servers: the
server-side verification (es_server.py --auth sigv4:...) and a signer for the
self-tests.  Standard library only.

Faithful to the AWS "Signature Version 4 signing process" and to what the
Amazon OpenSearch Service front end checks (see
/work/shared/reference/aws-events-runtime-sigv4.md section 7):

- Canonical request:
  METHOD \\n CanonicalURI \\n CanonicalQuery \\n CanonicalHeaders \\n
  SignedHeaders \\n HexSHA256(payload)
- CanonicalURI: for every service but s3 the path *as sent* (already
  percent-encoded once) is normalised (dot segments and empty segments
  removed, as botocore does) and URI-encoded again, so a '%' becomes '%25'
  ("encoded twice"); for s3 it is decoded and encoded once.  Unreserved
  characters are A-Z a-z 0-9 - _ . ~ ; '/' is kept.
- CanonicalQuery: every name=value pair is percent-decoded, then
  URI-encoded strictly (',' -> %2C, '*' -> %2A, ' ' -> %20, '+' -> %2B),
  sorted by name then value; a name without '=' gets an empty value.
  A client that signs `filter_path=errors,items.*.status` without encoding
  the ',' and '*' in the canonical query fails here, as it does on AWS.
- CanonicalHeaders: lower-cased names, values trimmed with inner runs of
  spaces collapsed, repeated headers joined with ','.
- Payload hash: hex SHA-256 of the body bytes exactly as sent (the gzip
  bytes when Content-Encoding: gzip).  If x-amz-content-sha256 is present
  it must equal that hash; for service `aoss` it is required.
- Scope: <yyyymmdd>/<region>/<service>/aws4_request; the date must match
  X-Amz-Date, which must be within the allowed clock skew.
- `host` and `x-amz-date` must be signed; so must x-amz-security-token and
  x-amz-content-sha256 when present.

Simplified: only the Authorization-header form (no presigned query
strings), only X-Amz-Date (not Date), no chunked-upload signing.

Run `python3 sigv4.py --self-test` to check the AWS-published known-answer
vectors (S3 GET Object, ListObjects).
"""

import datetime
import hashlib
import hmac
import re
import sys
import urllib.parse

ALGORITHM = "AWS4-HMAC-SHA256"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                        b"0123456789-_.~")


def uri_encode(value, keep_slash=False):
    """RFC 3986 encoding as SigV4 wants it: unreserved characters as they
    are, everything else as %XX (upper-case hex) over the UTF-8 bytes."""
    if isinstance(value, str):
        value = value.encode("utf-8")
    out = []
    for b in value:
        if b in _UNRESERVED or (keep_slash and b == 0x2F):
            out.append(chr(b))
        else:
            out.append("%%%02X" % b)
    return "".join(out)


def _normalize_path(path):
    """Remove '.', '..' and empty segments (botocore's remove_dot_segments)."""
    if not path:
        return "/"
    segments = []
    for seg in path.split("/"):
        if seg in ("", "."):
            continue
        if seg == "..":
            if segments:
                segments.pop()
            continue
        segments.append(seg)
    out = "/" + "/".join(segments)
    if path.endswith("/") and segments:
        out += "/"
    return out


def canonical_uri(raw_path, service):
    if service == "s3":
        return uri_encode(urllib.parse.unquote_to_bytes(raw_path or "/"),
                          keep_slash=True)
    return uri_encode(_normalize_path(raw_path), keep_slash=True)


def canonical_query(raw_query):
    pairs = []
    for part in (raw_query or "").split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        name = uri_encode(urllib.parse.unquote_to_bytes(name))
        value = uri_encode(urllib.parse.unquote_to_bytes(value))
        pairs.append((name, value))
    pairs.sort()
    return "&".join("%s=%s" % p for p in pairs)


def _trim(value):
    return " ".join(value.strip().split())


def canonical_headers(get_all, signed):
    """``get_all(name)`` returns the list of values of a header (any case).
    Returns (text, missing_header_or_None)."""
    lines = []
    for name in signed:
        values = get_all(name)
        if not values:
            return None, name
        lines.append("%s:%s\n" % (name, ",".join(_trim(v) for v in values)))
    return "".join(lines), None


def signing_key(secret, date, region, service):
    k = hmac.new(("AWS4" + secret).encode(), date.encode(), hashlib.sha256)
    k = hmac.new(k.digest(), region.encode(), hashlib.sha256)
    k = hmac.new(k.digest(), service.encode(), hashlib.sha256)
    return hmac.new(k.digest(), b"aws4_request", hashlib.sha256).digest()


def string_to_sign(amz_date, scope, creq):
    return "\n".join([ALGORITHM, amz_date, scope,
                      hashlib.sha256(creq.encode()).hexdigest()])


def build_canonical_request(method, raw_path, raw_query, get_all, signed,
                            payload_hash, service):
    hdrs, missing = canonical_headers(get_all, signed)
    if missing:
        return None, missing
    creq = "\n".join([method, canonical_uri(raw_path, service),
                      canonical_query(raw_query), hdrs, ";".join(signed),
                      payload_hash])
    return creq, None


# ----------------------------------------------------------------------------
# Signing (used by the self-tests; an independent implementation of what the
# elbship client must do)
# ----------------------------------------------------------------------------

def sign(method, target, headers, body, access_key, secret, region, service,
         amz_date=None, token=None, content_sha256_header=None):
    """Return the headers to add to a request: x-amz-date, optionally
    x-amz-security-token and x-amz-content-sha256, and Authorization.

    ``target`` is the request-target as sent (path?query, percent-encoded);
    ``headers`` a dict of the other headers that will be sent (all signed;
    must include Host).  ``content_sha256_header`` True adds
    x-amz-content-sha256 (required by aoss)."""
    if amz_date is None:
        amz_date = datetime.datetime.now(datetime.timezone.utc).strftime(
            "%Y%m%dT%H%M%SZ")
    payload_hash = hashlib.sha256(body or b"").hexdigest()
    add = {"x-amz-date": amz_date}
    if token:
        add["x-amz-security-token"] = token
    if content_sha256_header or (content_sha256_header is None
                                 and service in ("aoss", "s3")):
        add["x-amz-content-sha256"] = payload_hash
    all_headers = {}
    for k, v in list(headers.items()) + list(add.items()):
        all_headers.setdefault(k.lower(), []).append(v)
    signed = sorted(all_headers)
    path, _, query = target.partition("?")
    creq, _ = build_canonical_request(method, path, query,
                                      lambda n: all_headers.get(n), signed,
                                      payload_hash, service)
    scope = "%s/%s/%s/aws4_request" % (amz_date[:8], region, service)
    sts = string_to_sign(amz_date, scope, creq)
    sig = hmac.new(signing_key(secret, amz_date[:8], region, service),
                   sts.encode(), hashlib.sha256).hexdigest()
    add["Authorization"] = ("%s Credential=%s/%s, SignedHeaders=%s, "
                            "Signature=%s" % (ALGORITHM, access_key, scope,
                                              ";".join(signed), sig))
    return add


# ----------------------------------------------------------------------------
# Verification (server side)
# ----------------------------------------------------------------------------

class Credentials:
    def __init__(self, access_key, secret, region, service, token=None):
        if service not in ("es", "aoss", "sqs"):
            raise ValueError("sigv4 service must be es, aoss or sqs, not %r"
                             % service)
        self.access_key = access_key
        self.secret = secret
        self.region = region
        self.service = service
        self.token = token

    def __repr__(self):          # never print the secret or the token
        return "Credentials(%s, %s/%s)" % (self.access_key, self.region,
                                           self.service)


_AUTH_RE = re.compile(
    r"^AWS4-HMAC-SHA256\s+Credential=([^,\s]+)\s*,\s*"
    r"SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-fA-F]+)\s*$")

SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you "
    "provided. Check your AWS Secret Access Key and signing method. Consult "
    "the service documentation for details.")


class VerifyResult:
    def __init__(self, ok, reason="", message=""):
        self.ok = ok
        self.reason = reason      # short, for the test log (no secrets)
        self.message = message    # what the AWS front end would answer


def _redact_token(text, token_values):
    for t in token_values:
        if t:
            text = text.replace(t, "<redacted>")
    return text


def verify(method, target, get_all, body, creds, now=None, max_skew_s=900):
    """Verify the SigV4 Authorization header of a request.

    ``target``: the raw request-target; ``get_all(name)``: list of header
    values; ``body``: the body bytes as sent."""
    fail = lambda reason, message=None: VerifyResult(
        False, reason, message or reason)
    auths = get_all("authorization") or []
    if not auths:
        return fail("missing Authorization header",
                    "User: anonymous is not authorized to perform: "
                    "es:ESHttp%s" % method.capitalize())
    m = _AUTH_RE.match(auths[0].strip())
    if not m:
        if not auths[0].startswith(ALGORITHM):
            return fail("Authorization is not AWS4-HMAC-SHA256")
        return fail("malformed Authorization header",
                    "Authorization header requires 'Credential', "
                    "'SignedHeaders' and 'Signature' parameters.")
    credential, signed_text, signature = m.groups()
    parts = credential.split("/")
    if len(parts) != 5 or parts[4] != "aws4_request":
        return fail("malformed Credential [%s]" % credential)
    akid, date, region, service, _ = parts
    if akid != creds.access_key:
        return fail("unknown access key id [%s]" % akid,
                    "The security token included in the request is invalid.")
    if region != creds.region:
        return fail("credential scope region [%s], expected [%s]"
                    % (region, creds.region),
                    "Credential should be scoped to a valid region. ")
    if service != creds.service:
        return fail("credential scope service [%s], expected [%s]"
                    % (service, creds.service),
                    "Credential should be scoped to correct service: '%s'. "
                    % creds.service)
    signed = signed_text.split(";")
    if signed != sorted(signed) or any(s != s.lower() for s in signed):
        return fail("SignedHeaders not lower-case and sorted [%s]"
                    % signed_text)
    amz_dates = get_all("x-amz-date") or []
    if not amz_dates:
        return fail("missing X-Amz-Date header",
                    "Authorization header requires existence of either a "
                    "'X-Amz-Date' or a 'Date' header.")
    amz_date = amz_dates[0].strip()
    try:
        when = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(
            tzinfo=datetime.timezone.utc)
    except ValueError:
        return fail("X-Amz-Date [%s] not in YYYYMMDDTHHMMSSZ form" % amz_date)
    if date != amz_date[:8]:
        return fail("credential scope date [%s] differs from X-Amz-Date [%s]"
                    % (date, amz_date))
    now = now or datetime.datetime.now(datetime.timezone.utc)
    skew = (now - when).total_seconds()
    if abs(skew) > max_skew_s:
        return fail("X-Amz-Date [%s] is %+d s from the server clock (limit "
                    "%d s)" % (amz_date, skew, max_skew_s),
                    "Signature expired: %s is now earlier than %s" % (
                        amz_date, (now - datetime.timedelta(
                            seconds=max_skew_s)).strftime("%Y%m%dT%H%M%SZ")))
    for required in ("host", "x-amz-date"):
        if required not in signed:
            return fail("header [%s] is not signed" % required)
    tokens = get_all("x-amz-security-token") or []
    if creds.token is not None:
        if not tokens:
            return fail("missing X-Amz-Security-Token (credentials are "
                        "temporary)",
                        "The security token included in the request is "
                        "invalid.")
        if not hmac.compare_digest(tokens[0].strip(), creds.token):
            return fail("X-Amz-Security-Token does not match",
                        "The security token included in the request is "
                        "invalid.")
    if tokens and "x-amz-security-token" not in signed:
        return fail("X-Amz-Security-Token present but not signed")
    payload_hash = hashlib.sha256(body or b"").hexdigest()
    sha_headers = get_all("x-amz-content-sha256") or []
    if creds.service == "aoss" and not sha_headers:
        return fail("missing x-amz-content-sha256 (required by aoss)")
    if sha_headers:
        claimed = sha_headers[0].strip()
        if claimed != payload_hash:
            return fail("x-amz-content-sha256 [%s] is not the SHA-256 of the "
                        "body as sent [%s]" % (claimed, payload_hash),
                        "The provided 'x-amz-content-sha256' header does not "
                        "match what was computed.")
        if "x-amz-content-sha256" not in signed:
            return fail("x-amz-content-sha256 present but not signed")
    path, _, query = target.partition("?")
    creq, missing = build_canonical_request(method, path, query, get_all,
                                            signed, payload_hash,
                                            creds.service)
    if missing:
        return fail("signed header [%s] is not in the request" % missing)
    scope = "%s/%s/%s/aws4_request" % (date, region, service)
    sts = string_to_sign(amz_date, scope, creq)
    want = hmac.new(signing_key(creds.secret, date, region, service),
                    sts.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(want, signature.lower()):
        shown_creq = _redact_token(creq, [t.strip() for t in tokens])
        return fail("signature mismatch; canonical request was %r"
                    % shown_creq,
                    "%s\n\nThe Canonical String for this request should have "
                    "been\n'%s'\n\nThe String-to-Sign should have been\n'%s'\n"
                    % (SIGNATURE_MISMATCH, shown_creq, sts))
    return VerifyResult(True)


# ----------------------------------------------------------------------------
# Known-answer tests (AWS-published examples, S3 signing documentation)
# ----------------------------------------------------------------------------

def _self_test():
    ak, sk = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    amz_date = "20130524T000000Z"
    failures = 0

    def check(name, got, want):
        nonlocal failures
        if got == want:
            print("ok - %s" % name)
        else:
            failures += 1
            print("not ok - %s: got %s want %s" % (name, got, want))

    hdrs = {"host": ["examplebucket.s3.amazonaws.com"], "range": ["bytes=0-9"],
            "x-amz-content-sha256": [EMPTY_SHA256], "x-amz-date": [amz_date]}
    signed = sorted(hdrs)
    check("GET Object signed headers", ";".join(signed),
          "host;range;x-amz-content-sha256;x-amz-date")
    creq, _ = build_canonical_request("GET", "/test.txt", "", hdrs.get,
                                      signed, EMPTY_SHA256, "s3")
    check("GET Object canonical request hash",
          hashlib.sha256(creq.encode()).hexdigest(),
          "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972")
    scope = "20130524/us-east-1/s3/aws4_request"
    sig = hmac.new(signing_key(sk, "20130524", "us-east-1", "s3"),
                   string_to_sign(amz_date, scope, creq).encode(),
                   hashlib.sha256).hexdigest()
    check("GET Object signature", sig,
          "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    hdrs = {"host": ["examplebucket.s3.amazonaws.com"],
            "x-amz-content-sha256": [EMPTY_SHA256], "x-amz-date": [amz_date]}
    signed = sorted(hdrs)
    creq, _ = build_canonical_request("GET", "/", "max-keys=2&prefix=J",
                                      hdrs.get, signed, EMPTY_SHA256, "s3")
    sig = hmac.new(signing_key(sk, "20130524", "us-east-1", "s3"),
                   string_to_sign(amz_date, scope, creq).encode(),
                   hashlib.sha256).hexdigest()
    check("ListObjects signature", sig,
          "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
    check("canonical query encodes , and *",
          canonical_query("filter_path=errors,items.*.status&b=1"),
          "b=1&filter_path=errors%2Citems.%2A.status")
    check("canonical uri double-encodes for es",
          canonical_uri("/a%2Fb//./c/_bulk", "es"), "/a%252Fb/c/_bulk")
    # round trip: sign then verify
    body = b'{"create":{}}\n{"a":1}\n'
    hdr = {"Host": "127.0.0.1:9200", "Content-Type": "application/x-ndjson"}
    now = datetime.datetime(2025, 11, 3, 10, 0, 0,
                            tzinfo=datetime.timezone.utc)
    add = sign("POST", "/logs/_bulk?filter_path=errors%2Citems.%2A.status",
               hdr, body, ak, sk, "eu-west-1", "aoss",
               amz_date="20251103T100000Z", token="TOKEN")
    every = {k.lower(): [v] for k, v in list(hdr.items()) + list(add.items())}
    creds = Credentials(ak, sk, "eu-west-1", "aoss", token="TOKEN")
    res = verify("POST", "/logs/_bulk?filter_path=errors,items.*.status",
                 lambda n: every.get(n.lower()), body, creds, now=now)
    check("sign/verify round trip (query sent unencoded)", res.ok, True)
    res = verify("POST", "/logs/_bulk", lambda n: every.get(n.lower()),
                 body + b"x", creds, now=now)
    check("tampered body rejected", res.ok, False)
    return failures


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        sys.exit(1 if _self_test() else 0)
    print(__doc__)
