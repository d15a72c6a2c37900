#!/usr/bin/env python3
"""sqs2lambda.py: what Lambda's SQS event source mapping does, for the
tests: poll a queue (ReceiveMessage, 10 at a time, over the AWS JSON
protocol with SigV4, against tests/servers/sqs_server.py) and write one
Lambda SQS event per batch, as the function receives it, for
tests/servers/runtime_api.py --events; then, after the function ran,
delete the messages it did not report failed (DeleteMessageBatch).

  sqs2lambda.py receive QUEUE_URL EVENTS.ndjson HANDLES.json
  sqs2lambda.py delete QUEUE_URL HANDLES.json RESULTS.ndjson
  sqs2lambda.py call QUEUE_URL OPERATION JSON|@FILE [--unsigned]
                                   one request; prints the status, the
                                   x-amzn-query-error header and the body

Credentials and region: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
AWS_REGION.  Standard library only.
"""

import http.client
import json
import os
import sys
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "servers"))
import sigv4                                                    # noqa: E402


def raw_call(queue_url, op, body, signed=True):
    u = urllib.parse.urlsplit(queue_url)
    host = "%s:%d" % (u.hostname, u.port)
    headers = {"Host": host, "Content-Type": "application/x-amz-json-1.0",
               "X-Amz-Target": "AmazonSQS." + op,
               "x-amzn-query-mode": "true"}
    if signed:
        headers.update(sigv4.sign("POST", "/", headers, body,
                                  os.environ["AWS_ACCESS_KEY_ID"],
                                  os.environ["AWS_SECRET_ACCESS_KEY"],
                                  os.environ.get("AWS_REGION", "us-east-1"),
                                  "sqs"))
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    c.request("POST", "/", body, headers)
    r = c.getresponse()
    data = r.read()
    qerr = r.getheader("x-amzn-query-error") or "-"
    c.close()
    return r.status, qerr, data


def call(queue_url, op, req):
    status, _, data = raw_call(queue_url, op, json.dumps(req).encode())
    if status != 200:
        raise SystemExit("%s: HTTP %d %s" % (op, status, data[:300]))
    return json.loads(data)


def receive(queue_url, events_path, handles_path):
    region = os.environ.get("AWS_REGION", "us-east-1")
    arn = "arn:aws:sqs:%s:111122223333:%s" % (region,
                                             queue_url.rsplit("/", 1)[-1])
    handles = {}
    n = 0
    with open(events_path, "w") as out:
        while True:
            got = call(queue_url, "ReceiveMessage", {
                "QueueUrl": queue_url, "MaxNumberOfMessages": 10,
                "VisibilityTimeout": 600, "AttributeNames": ["All"]})
            msgs = got.get("Messages", [])
            if not msgs:
                break
            recs = []
            for m in msgs:
                handles[m["MessageId"]] = m["ReceiptHandle"]
                recs.append({
                    "messageId": m["MessageId"],
                    "receiptHandle": m["ReceiptHandle"],
                    "body": m["Body"], "attributes": m.get("Attributes", {}),
                    "messageAttributes": {}, "md5OfBody": m["MD5OfBody"],
                    "eventSource": "aws:sqs", "eventSourceARN": arn,
                    "awsRegion": region})
            out.write(json.dumps({"Records": recs}) + "\n")
            n += len(recs)
    with open(handles_path, "w") as f:
        json.dump(handles, f)
    print("received %d messages" % n)


def delete(queue_url, handles_path, results_path):
    with open(handles_path) as f:
        handles = json.load(f)
    failed = set()
    with open(results_path) as f:
        for line in f:
            r = json.loads(line)
            body = r.get("body") or {}
            if r.get("outcome") != "response":
                raise SystemExit("an invocation failed: %s" % line[:300])
            for it in body.get("batchItemFailures") or []:
                failed.add(it["itemIdentifier"])
    todo = [(i, h) for i, h in handles.items() if i not in failed]
    deleted = 0
    for k in range(0, len(todo), 10):
        chunk = todo[k:k + 10]
        got = call(queue_url, "DeleteMessageBatch", {
            "QueueUrl": queue_url,
            "Entries": [{"Id": "d%d" % j, "ReceiptHandle": h}
                        for j, (_, h) in enumerate(chunk)]})
        deleted += len(got.get("Successful", []))
    print("deleted %d messages, %d failed" % (deleted, len(failed)))


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "receive":
        receive(*sys.argv[2:])
    elif len(sys.argv) == 5 and sys.argv[1] == "delete":
        delete(*sys.argv[2:])
    elif len(sys.argv) in (5, 6) and sys.argv[1] == "call":
        body = sys.argv[4]
        if body.startswith("@"):
            with open(body[1:]) as f:
                body = f.read()
        status, qerr, data = raw_call(sys.argv[2], sys.argv[3],
                                      body.encode(),
                                      signed=sys.argv[5:] != ["--unsigned"])
        print(status, qerr, data.decode())
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
