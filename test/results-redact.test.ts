import assert from 'node:assert/strict';
import { test } from 'node:test';
import aws4 from 'aws4';
import { createRedactor, fingerprint, redactEvidence } from '../src/results/redact.js';

const ACCESS_KEY = 'AKIDEXAMPLE12345678';
const SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const SESSION_TOKEN = 'IQoJb3JpZ2luX2VjEXAMPLEsessionTOKENvalue0123456789';
const API_KEY = 'gp-valid-key-0123456789abcdef';
const JWT =
  'eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJ1c2VyIiwiYXVkIjoiZ2F0ZXByb29mIn0.c2lnbmF0dXJlLWJ5dGVzLWhlcmUtMDEyMzQ1Njc4OQ';

test('a fingerprint is short, stable and not the secret', () => {
  const fp = fingerprint(API_KEY);
  assert.match(fp, /^sha256:[0-9a-f]{8}…\(29 chars\)$/);
  assert.equal(fingerprint(API_KEY), fp);
  assert.notEqual(fingerprint(`${API_KEY}x`), fp);
});

test('a SigV4 Authorization header keeps its structure, hides the key id and the signature', () => {
  const signed = aws4.sign(
    {
      host: '127.0.0.1',
      path: '/prod/iam',
      service: 'execute-api',
      region: 'us-east-1',
      headers: { 'X-Amz-Security-Token': SESSION_TOKEN },
    },
    { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
  );
  const headers = signed.headers as Record<string, string>;
  const authorization = headers.Authorization!;
  const signature = /Signature=([0-9a-f]{64})/.exec(authorization)![1]!;
  const redacted = redactEvidence(
    {
      request: { method: 'GET', url: 'http://127.0.0.1/prod/iam', headers: { ...headers } },
      note: `sent Authorization: ${authorization}`,
    },
    createRedactor([]),
  );
  const out = JSON.stringify(redacted);
  for (const secret of [ACCESS_KEY, signature, SESSION_TOKEN, SECRET_KEY])
    assert.ok(!out.includes(secret), secret);
  const header = redacted.request!.headers.Authorization!;
  assert.match(
    header,
    /^AWS4-HMAC-SHA256 Credential=sha256:[0-9a-f]{8}…\(19 chars\)\/\d{8}\/us-east-1\/execute-api\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=sha256:[0-9a-f]{8}…\(64 chars\)$/,
  );
  assert.equal(redacted.request!.headers['X-Amz-Security-Token'], fingerprint(SESSION_TOKEN));
  assert.ok(redacted.note!.endsWith(header), 'the same header in free text redacts the same way');
});

test('a JWT is hidden anywhere, with or without a Bearer scheme', () => {
  const redact = createRedactor([]);
  assert.equal(redact(`Authorization: Bearer ${JWT}`), `Authorization: Bearer ${fingerprint(JWT)}`);
  assert.equal(redact(`{"token":"${JWT}"}`), `{"token":"${fingerprint(JWT)}"}`);
  const unsigned = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.';
  assert.equal(redact(`token=${unsigned} end`), `token=${fingerprint(unsigned)} end`);
  const evidence = redactEvidence(
    { request: { method: 'GET', url: '/prod/jwt', headers: { authorization: JWT } } },
    redact,
  );
  assert.equal(evidence.request!.headers.authorization, fingerprint(JWT));
});

test('an API key is hidden in a header, in a URL query, and in an echoed body', () => {
  const redact = createRedactor([API_KEY, 'short']);
  const evidence = redactEvidence(
    {
      request: {
        method: 'GET',
        url: `http://127.0.0.1/prod/keyed?x-api-key=${API_KEY}&q=1`,
        headers: { 'X-API-Key': API_KEY, 'x-other': 'short' },
      },
      response: {
        status: 200,
        headers: {},
        body: JSON.stringify({ headers: { 'x-api-key': API_KEY } }),
        durationMs: 1,
      },
    },
    redact,
  );
  const fp = fingerprint(API_KEY);
  assert.equal(evidence.request!.url, `http://127.0.0.1/prod/keyed?x-api-key=${fp}&q=1`);
  assert.equal(evidence.request!.headers['X-API-Key'], fp);
  assert.equal(
    evidence.request!.headers['x-other'],
    'short',
    'secrets under 8 characters are not searched for',
  );
  assert.equal(evidence.response!.body, JSON.stringify({ headers: { 'x-api-key': fp } }));
});

test('keys nobody declared are still hidden by their header or parameter name', () => {
  const redact = createRedactor([]);
  assert.equal(redact('x-api-key: unknown-key-value'), `x-api-key: ${fingerprint('unknown-key-value')}`);
  assert.equal(redact('/p?api_key=abc123&z=1'), `/p?api_key=${fingerprint('abc123')}&z=1`);
  const presigned =
    '/prod/iam?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fexecute-api%2Faws4_request&X-Amz-Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7&X-Amz-Security-Token=tok3n-value';
  const out = redact(presigned);
  assert.ok(out.includes(`X-Amz-Credential=${fingerprint('AKIDEXAMPLE')}%2F20150830%2Fus-east-1`), out);
  assert.ok(
    out.includes(
      `X-Amz-Signature=${fingerprint('5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7')}`,
    ),
  );
  assert.ok(out.includes(`X-Amz-Security-Token=${fingerprint('tok3n-value')}`));
  assert.ok(out.startsWith('/prod/iam?X-Amz-Algorithm=AWS4-HMAC-SHA256&'));
});

test('an encoded secret in a URL gets the same fingerprint as the secret', () => {
  const redact = createRedactor([SECRET_KEY]);
  assert.equal(redact(`/x?s=${encodeURIComponent(SECRET_KEY)}`), `/x?s=${fingerprint(SECRET_KEY)}`);
});

test('redacting twice changes nothing, and a bare scheme word is kept', () => {
  const redact = createRedactor([API_KEY]);
  const text = `authorization: Bearer ${JWT}\nx-api-key: ${API_KEY}\nAuthorization: Bearer\n?X-Amz-Credential=AKID%2Fscope`;
  const once = redact(text);
  assert.equal(redact(once), once);
  assert.ok(once.includes('Authorization: Bearer\n'));
});
