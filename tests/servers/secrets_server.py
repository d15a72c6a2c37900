#!/usr/bin/env python3
"""secrets_server.py: a test server for AWS Secrets Manager GetSecretValue
and SSM GetParameter (the AWS JSON 1.1 protocol), with real SigV4
verification (tests/servers/sigv4.py).

    secrets_server.py --port 0 --port-file F --service secretsmanager|ssm \\
        --auth AKID:SECRET:REGION --secret NAME_OR_ARN=VALUE ...

Faithful to the API references:
- POST / with Content-Type application/x-amz-json-1.1 and
  X-Amz-Target: secretsmanager.GetSecretValue (body {"SecretId": ...}) or
  AmazonSSM.GetParameter (body {"Name": ..., "WithDecryption": bool}).
- Answers {"ARN","Name","SecretString","VersionId",...} or
  {"Parameter":{"Name","Type":"SecureString","Value","ARN",...}}.
- Errors as AWS JSON errors: 400 {"__type":"ResourceNotFoundException",
  "message":...} / ParameterNotFound; 400 {"__type":
  "InvalidSignatureException"} for a bad signature; SecureString values
  are returned in clear only WithDecryption.
GET /_test/stats: request counts and failures (never values).
POST /_test/rotate {"name":..., "value":...}: a new value (a rotation).
"""
import argparse
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import sigv4   # noqa: E402


class Creds(sigv4.Credentials):
    def __init__(self, access_key, secret, region, service):  # no es/aoss check
        self.access_key = access_key
        self.secret = secret
        self.region = region
        self.service = service
        self.token = None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--service", choices=["secretsmanager", "ssm"],
                    required=True)
    ap.add_argument("--auth", required=True, help="AKID:SECRET:REGION")
    ap.add_argument("--secret", action="append", default=[],
                    help="NAME_OR_ARN=VALUE (repeatable)")
    a = ap.parse_args()
    akid, secret, region = a.auth.split(":", 2)
    creds = Creds(akid, secret, region, a.service)
    store = dict(s.split("=", 1) for s in a.secret)
    stats = {"requests": 0, "ok": 0, "not_found": 0, "bad_signature": 0}
    lock = threading.Lock()
    target = ("secretsmanager.GetSecretValue" if a.service == "secretsmanager"
              else "AmazonSSM.GetParameter")

    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def reply(self, code, obj):
            body = json.dumps(obj).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path == "/_test/stats":
                with lock:
                    self.reply(200, stats)
            else:
                self.reply(404, {"__type": "UnknownOperationException"})

        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(n)
            if self.path == "/_test/rotate":
                # {"name": NAME_OR_ARN, "value": VALUE}: a rotation.
                req = json.loads(body)
                with lock:
                    store[req["name"]] = req["value"]
                    stats["rotations"] = stats.get("rotations", 0) + 1
                return self.reply(200, {"rotated": req["name"]})
            with lock:
                stats["requests"] += 1
            r = sigv4.verify("POST", self.path, self.headers.get_all, body,
                             creds)
            if not r.ok:
                with lock:
                    stats["bad_signature"] += 1
                return self.reply(400, {"__type": "InvalidSignatureException",
                                        "message": r.message})
            if self.headers.get("X-Amz-Target") != target:
                return self.reply(400, {"__type": "UnknownOperationException",
                                        "message": "wrong X-Amz-Target"})
            try:
                req = json.loads(body)
            except ValueError:
                return self.reply(400, {"__type": "SerializationException"})
            key = req.get("SecretId") if a.service == "secretsmanager" \
                else req.get("Name")
            if key not in store:
                with lock:
                    stats["not_found"] += 1
                if a.service == "secretsmanager":
                    return self.reply(400, {
                        "__type": "ResourceNotFoundException",
                        "message": "Secrets Manager can't find the specified "
                                   "secret."})
                return self.reply(400, {"__type": "ParameterNotFound"})
            with lock:
                stats["ok"] += 1
            if a.service == "secretsmanager":
                return self.reply(200, {"ARN": key, "Name": key,
                                        "SecretString": store[key],
                                        "VersionId": "v1",
                                        "VersionStages": ["AWSCURRENT"]})
            value = store[key] if req.get("WithDecryption") else "AQICAHh..."
            return self.reply(200, {"Parameter": {
                "Name": key, "Type": "SecureString", "Value": value,
                "Version": 1, "ARN": key, "DataType": "text"}})

    srv = ThreadingHTTPServer((a.host, a.port), H)
    if a.port_file:
        common.write_port_file(a.port_file, srv.server_address[1])
    srv.serve_forever()


if __name__ == "__main__":
    main()
