#!/usr/bin/env node
// tests/s3/server.js: s3rver (npm, pinned in tests/package.json) with real
// AWS Signature Version 4 checking, for elbship's S3 tests.
//
// Why a wrapper: s3rver 3.7.1 checks only the access key id of a SigV4
// request ("Signature version 4 calculation is unimplemented" in
// lib/middleware/authentication.js), so any secret is accepted.  This file
// runs the unmodified s3rver Koa app and puts one middleware in front of its
// own: a SigV4 verifier for the Authorization header and for presigned query
// strings, answering like S3 (403 SignatureDoesNotMatch with the
// CanonicalRequest and StringToSign it computed, 400
// XAmzContentSHA256Mismatch, 403 AccessDenied for unsigned requests, 400
// AuthorizationHeaderMalformed for a wrong region or scope).  Everything
// else (buckets, objects, listing, Range, errors) is s3rver's.
//
// Usage (tests/s3/s3rver.sh runs this; see tests/s3/README.md):
//   node --openssl-legacy-provider tests/s3/server.js --directory DIR
//        [--address 127.0.0.1] [--port 0] [--port-file FILE]
//        [--access-key-id ID] [--secret-access-key SECRET] [--region us-east-1]
//        [--allow-anonymous] [--no-sigv4-check] [--max-seconds 3600]
//        [--parent-pid PID] [--keep-alive-ms MS] [--silent]
// --keep-alive-ms: how long an idle kept-alive connection stays open (Node's
// default, 5000, unless given).
// --openssl-legacy-provider: s3rver makes ListObjectsV2 continuation tokens
// with DES, which Node 17+ (OpenSSL 3) only has in the legacy provider;
// without it every truncated list-type=2 listing is a 500 InternalError.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { Readable } = require('stream');

// tests/package.json pins s3rver; `npm ci --prefix tests` puts it here.
const modules = path.resolve(__dirname, '..', 'node_modules');
const S3rver = require(path.join(modules, 's3rver'));
const AWSAccount = require(path.join(modules, 's3rver', 'lib', 'models', 'account'));
const S3Error = require(path.join(modules, 's3rver', 'lib', 'models', 'error'));

const DEFAULT_KEY = 'AKIAELBSHIPTEST00001';
const DEFAULT_SECRET = 'elbship/test+Secret/0123456789abcdefGHIJ';
const MAX_SIGNED_BODY = 256 * 1024 * 1024;
const EMPTY_SHA256 = crypto.createHash('sha256').update('').digest('hex');

function parseArgs(argv) {
  const o = {
    directory: null,
    address: '127.0.0.1',
    port: 0,
    portFile: null,
    accessKeyId: process.env.S3RVER_ACCESS_KEY_ID || DEFAULT_KEY,
    secretAccessKey: process.env.S3RVER_SECRET_ACCESS_KEY || DEFAULT_SECRET,
    region: process.env.S3RVER_REGION || 'us-east-1',
    allowAnonymous: false,
    sigv4: true,
    maxSeconds: 3600,
    parentPid: 0,
    keepAliveMs: 0,
    silent: false,
  };
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) die(`${a} needs a value`);
      return argv[++i];
    };
    switch (a) {
      case '-d': case '--directory': o.directory = val(); break;
      case '-a': case '--address': o.address = val(); break;
      case '-p': case '--port': o.port = Number(val()); break;
      case '--port-file': o.portFile = val(); break;
      case '--access-key-id': o.accessKeyId = val(); break;
      case '--secret-access-key': o.secretAccessKey = val(); break;
      case '--region': o.region = val(); break;
      case '--allow-anonymous': o.allowAnonymous = true; break;
      case '--no-sigv4-check': o.sigv4 = false; break;
      case '--max-seconds': o.maxSeconds = Number(val()); break;
      case '--parent-pid': o.parentPid = Number(val()); break;
      case '--keep-alive-ms': o.keepAliveMs = Number(val()); break;
      case '-s': case '--silent': o.silent = true; break;
      default: die(`unknown argument ${a}`);
    }
  }
  if (!o.directory) die('--directory is required');
  return o;
}

function die(msg) {
  process.stderr.write(`server.js: ${msg}\n`);
  process.exit(2);
}

// ---- SigV4 ----------------------------------------------------------------

const hmac = (key, s) => crypto.createHmac('sha256', key).update(s, 'utf8').digest();
const sha256hex = b => crypto.createHash('sha256').update(b).digest('hex');

// RFC 3986 encoding of bytes, as AWS canonicalisation wants: everything but
// A-Z a-z 0-9 - _ . ~ as %XX (upper case); '/' kept when keepSlash.
function uriEncode(buf, keepSlash) {
  let out = '';
  for (const b of buf) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c) || (keepSlash && c === '/')) out += c;
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

// Percent-decode to bytes (invalid escapes are kept literally, as bytes).
function pctDecode(s, plusIsSpace) {
  const bytes = [];
  const src = Buffer.from(s, 'utf8');
  for (let i = 0; i < src.length; i++) {
    const b = src[i];
    if (b === 0x25 && i + 2 < src.length && /^[0-9A-Fa-f]{2}$/.test(src.slice(i + 1, i + 3).toString('latin1'))) {
      bytes.push(parseInt(src.slice(i + 1, i + 3).toString('latin1'), 16));
      i += 2;
    } else if (b === 0x2b && plusIsSpace) {
      bytes.push(0x20);
    } else {
      bytes.push(b);
    }
  }
  return Buffer.from(bytes);
}

// S3 does not normalise the path (no dot-segment or '//' removal) and does
// not double-encode it: decode what was sent, encode it once.
function canonicalUri(rawPath) {
  return uriEncode(pctDecode(rawPath || '/', false), true) || '/';
}

// The query as S3 reads it: '+' is a space (as in s3rver's own parser),
// %XX decoded; then each name and value strictly encoded, sorted by name,
// then value.
function canonicalQuery(rawQuery, omit) {
  if (!rawQuery) return '';
  const pairs = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = pctDecode(eq < 0 ? part : part.slice(0, eq), true);
    const value = pctDecode(eq < 0 ? '' : part.slice(eq + 1), true);
    if (omit && omit === name.toString('utf8')) continue;
    pairs.push([uriEncode(name, false), uriEncode(value, false)]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([n, v]) => `${n}=${v}`).join('&');
}

// Header values from rawHeaders (so repeated headers join with ',' as SigV4
// says, not ', ' as Node does), trimmed, inner space runs collapsed.
function headerValues(req) {
  const m = new Map();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    const v = String(raw[i + 1]).trim().replace(/ +/g, ' ');
    m.set(name, m.has(name) ? `${m.get(name)},${v}` : v);
  }
  return m;
}

function parseAuthHeader(value) {
  const m = /^AWS4-HMAC-SHA256\s+(.*)$/s.exec(value);
  if (!m) return null;
  const parts = {};
  for (const comp of m[1].split(',')) {
    const eq = comp.indexOf('=');
    if (eq < 0) continue;
    parts[comp.slice(0, eq).trim()] = comp.slice(eq + 1).trim();
  }
  return parts;
}

// An S3Error with the status S3 gives (s3rver's table lacks some codes,
// which would otherwise become 500).
function s3err(code, msg, detail, status) {
  const e = new S3Error(code, msg, detail || {});
  if (status) {
    e.status = status;
    e.expose = status < 500;
  }
  return e;
}

function malformed(msg, extra) {
  return s3err('AuthorizationHeaderMalformed', msg, extra, 400);
}

function sigv4Middleware(opts) {
  // Also one access-log line per request ("access: GET /b/k -> 404
  // NoSuchKey"), since s3rver's own lines lose the method and path.
  return async function sigv4(ctx, next) {
    const t0 = Date.now();
    const url = ctx.req.url;
    let status, code = '';
    try {
      if (opts.sigv4) await check(ctx);
      await next();
      status = ctx.status;
    } catch (err) {
      status = err.status || 500;
      code = err.code || '';
      throw err;
    } finally {
      if (!opts.silent) {
        process.stdout.write(`access: ${ctx.method} ${url} -> ${status} ${code} ${Date.now() - t0}ms\n`);
      }
    }
  };

  // Returns when the request may go on to s3rver; throws an S3Error if not.
  async function check(ctx) {
    const req = ctx.req;
    const url = req.url || '/';
    const qi = url.indexOf('?');
    const rawPath = qi < 0 ? url : url.slice(0, qi);
    const rawQuery = qi < 0 ? '' : url.slice(qi + 1);
    const auth = req.headers['authorization'];
    const presigned = /(^|&)X-Amz-Algorithm=/.test(rawQuery);
    const v2query = /(^|&)Signature=/.test(rawQuery) && /(^|&)AWSAccessKeyId=/.test(rawQuery);

    if (!auth && !presigned) {
      if (v2query) return; // SigV2 presigned: s3rver checks it itself
      if (opts.allowAnonymous || ctx.method === 'OPTIONS') return;
      throw new S3Error('AccessDenied', 'Access Denied');
    }
    if (auth && !/^AWS4-HMAC-SHA256\s/.test(auth)) {
      return; // SigV2 "AWS key:sig": s3rver checks it itself
    }
    if (auth && presigned) return; // s3rver rejects "more than one auth mechanism"

    const hv = headerValues(req);
    let credential, signedHeaders, signature, amzDate, payloadHash;
    if (auth) {
      const p = parseAuthHeader(auth);
      if (!p || !p.Credential || !p.SignedHeaders || !p.Signature) {
        throw malformed('The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.');
      }
      ({ Credential: credential, SignedHeaders: signedHeaders, Signature: signature } = p);
      amzDate = hv.get('x-amz-date');
      if (!amzDate) {
        throw new S3Error('AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header');
      }
      payloadHash = hv.get('x-amz-content-sha256');
      if (!payloadHash) {
        throw new S3Error('InvalidRequest', 'Missing required header for this request: x-amz-content-sha256');
      }
    } else {
      const q = new URLSearchParams(rawQuery);
      credential = q.get('X-Amz-Credential') || '';
      signedHeaders = q.get('X-Amz-SignedHeaders') || '';
      signature = q.get('X-Amz-Signature') || '';
      amzDate = q.get('X-Amz-Date') || '';
      payloadHash = hv.get('x-amz-content-sha256') || 'UNSIGNED-PAYLOAD';
    }

    const cred = credential.split('/');
    if (cred.length !== 5 || cred[4] !== 'aws4_request') {
      throw malformed(`The authorization header is malformed; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request". (${credential})`);
    }
    const [keyId, scopeDate, region, service] = cred;
    const secret = keyId === opts.accessKeyId ? opts.secretAccessKey : null;
    if (secret === null) {
      throw new S3Error('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', { AWSAccessKeyId: keyId });
    }
    if (!/^\d{8}T\d{6}Z$/.test(amzDate)) {
      throw new S3Error('AccessDenied', `X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'" (${amzDate})`);
    }
    if (scopeDate !== amzDate.slice(0, 8)) {
      throw malformed(`The authorization header is malformed; Invalid credential date "${scopeDate}". This date is not the same as X-Amz-Date: "${amzDate.slice(0, 8)}".`);
    }
    if (region !== opts.region) {
      throw malformed(`The authorization header is malformed; the region '${region}' is wrong; expecting '${opts.region}'`, { Region: opts.region });
    }
    if (service !== 's3') {
      throw malformed(`The authorization header is malformed; incorrect service "${service}". This endpoint belongs to "s3".`);
    }
    const signed = signedHeaders.split(';');
    if (!signed.includes('host')) {
      throw new S3Error('AccessDenied', 'There were headers present in the request which were not signed', { HeadersNotSigned: 'host' });
    }
    const notSigned = [...hv.keys()].filter(h => h.startsWith('x-amz-') && !signed.includes(h) && !(presigned && !auth));
    if (notSigned.length) {
      throw new S3Error('AccessDenied', 'There were headers present in the request which were not signed', { HeadersNotSigned: notSigned.join(', ') });
    }
    if (payloadHash === 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' || /^STREAMING-/.test(payloadHash)) {
      throw new S3Error('NotImplemented', 'aws-chunked (STREAMING-*) uploads are not supported by this test server');
    }
    if (payloadHash !== 'UNSIGNED-PAYLOAD' && !/^[0-9a-f]{64}$/.test(payloadHash)) {
      throw new S3Error('InvalidArgument', 'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, or a valid sha256 value.', { ArgumentName: 'x-amz-content-sha256', ArgumentValue: payloadHash });
    }

    const canonicalRequest = [
      req.method,
      canonicalUri(rawPath),
      canonicalQuery(rawQuery, auth ? null : 'X-Amz-Signature'),
      signed.map(h => `${h}:${hv.has(h) ? hv.get(h) : ''}\n`).join(''),
      signedHeaders,
      payloadHash,
    ].join('\n');
    const scope = `${scopeDate}/${region}/${service}/aws4_request`;
    const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256hex(Buffer.from(canonicalRequest, 'utf8'))].join('\n');
    let k = hmac('AWS4' + secret, scopeDate);
    k = hmac(k, region);
    k = hmac(k, service);
    k = hmac(k, 'aws4_request');
    const expected = crypto.createHmac('sha256', k).update(stringToSign, 'utf8').digest('hex');
    const ok = signature.length === expected.length &&
      crypto.timingSafeEqual(Buffer.from(signature), Buffer.from(expected));
    if (!ok) {
      throw new S3Error('SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided. Check your key and signing method.', {
          AWSAccessKeyId: keyId,
          StringToSign: stringToSign,
          SignatureProvided: signature,
          CanonicalRequest: canonicalRequest,
        });
    }

    // The payload: a declared hex SHA-256 must be the body's.  The body is
    // read here (test objects are small) and handed on to s3rver as ctx.req.
    if (/^[0-9a-f]{64}$/.test(payloadHash)) {
      const hasBody = Number(req.headers['content-length'] || 0) > 0 || 'transfer-encoding' in req.headers;
      if (!hasBody) {
        if (payloadHash !== EMPTY_SHA256) {
          throw s3err('XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.", { ClientComputedContentSHA256: payloadHash, S3ComputedContentSHA256: EMPTY_SHA256 }, 400);
        }
      } else {
        const chunks = [];
        let n = 0;
        for await (const c of req) {
          n += c.length;
          if (n > MAX_SIGNED_BODY) throw new S3Error('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size (test server limit)');
          chunks.push(c);
        }
        const body = Buffer.concat(chunks);
        const got = sha256hex(body);
        if (got !== payloadHash) {
          throw s3err('XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.", { ClientComputedContentSHA256: payloadHash, S3ComputedContentSHA256: got }, 400);
        }
        const replay = Readable.from([body]);
        replay.headers = req.headers;
        ctx.req = replay;
      }
    }
    return;
  }
}

// ---- main -----------------------------------------------------------------

async function main() {
  const o = parseArgs(process.argv);
  try {
    crypto.createCipheriv('des', Buffer.alloc(8), Buffer.alloc(8));
  } catch (e) {
    die('DES is unavailable (s3rver needs it for ListObjectsV2 continuation tokens): run node with --openssl-legacy-provider');
  }
  fs.mkdirSync(o.directory, { recursive: true });

  // Only our key pair: drop s3rver's built-in S3RVER/S3RVER.  s3rver still
  // checks SigV2 signatures itself against this registry.
  AWSAccount.DUMMY_ACCOUNT.revokeAccessKey('S3RVER');
  AWSAccount.DUMMY_ACCOUNT.createKeyPair(o.accessKeyId, o.secretAccessKey);

  const server = new S3rver({
    address: o.address,
    port: o.port,
    directory: o.directory,
    silent: o.silent,
    // Anything that is not an IP or localhost in Host would be taken as a
    // bucket name (virtual-host style); the tests use http://127.0.0.1:PORT.
    vhostBuckets: true,
  });
  server.middleware.unshift(sigv4Middleware(o));
  // s3rver logs through winston with colorize(), which forces ANSI colours
  // even into a file: the same lines, plain.
  try {
    const { format } = require(path.join(modules, 'winston'));
    for (const t of server.logger.transports) t.format = format.combine(format.splat(), format.simple());
  } catch (e) {
    // cosmetic only
  }

  const { address, port } = await server.run();
  if (o.keepAliveMs > 0) {
    server.httpServer.keepAliveTimeout = o.keepAliveMs;
    server.httpServer.headersTimeout = Math.max(server.httpServer.headersTimeout, o.keepAliveMs + 1000);
  }
  if (o.portFile) {
    const tmp = `${o.portFile}.tmp${process.pid}`;
    fs.writeFileSync(tmp, `${port}\n`);
    fs.renameSync(tmp, o.portFile);
  }
  process.stdout.write(`s3rver ${require(path.join(modules, 's3rver', 'package.json')).version} listening on ${address}:${port}, data ${o.directory}, sigv4 ${o.sigv4 ? 'checked' : 'NOT checked'}, anonymous ${o.allowAnonymous ? 'allowed' : 'denied'}\n`);

  // Nothing to flush: s3rver has answered every request it stored.
  const stop = () => process.exit(0);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  if (o.maxSeconds > 0) {
    setTimeout(() => {
      process.stderr.write(`server.js: --max-seconds ${o.maxSeconds} reached, exiting\n`);
      stop();
    }, o.maxSeconds * 1000).unref();
  }
  if (o.parentPid > 0) {
    setInterval(() => {
      try {
        process.kill(o.parentPid, 0);
      } catch (e) {
        process.stderr.write(`server.js: parent ${o.parentPid} gone, exiting\n`);
        stop();
      }
    }, 500).unref();
  }
}

main().catch(err => {
  process.stderr.write(`server.js: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
