import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRedactor, withoutUserinfo } from '../src/results/redact.js';
import { parseProfile } from '../src/target/load-profile.js';
import { secretsOf } from '../src/target/secrets.js';
import { targetSummary } from '../src/target/target-summary.js';

const PASSWORD = 'pw-Hy7Ju9Ki1Lo3';

const profile = parseProfile(
  [
    'name: t',
    'baseUrl: http://gp:${PW}@127.0.0.1:9',
    'probe: { url: "http://probe:${PW}@127.0.0.1:10" }',
    'apiKeys: { valid: valid-key-0123456789, quota: [quota-key-0123456789] }',
    'authorizer: { tokens: { allow: allow-token-0123, deny: deny-token-01234, unauthorized: unauth-token-012 } }',
    'cache: { invalidationHeaders: { x-gp-invalidator: invalidator-secret-01 } }',
    'jwt: { audience: gateproof, mint: { url: "http://127.0.0.1:11", secret: mint-secret-0123456 } }',
    '',
  ].join('\n'),
  't.yaml',
  { PW: PASSWORD },
);

test('every value of a field the schema marks secret is a secret, and so is every URL userinfo', () => {
  const secrets = secretsOf(profile);
  for (const value of [
    'valid-key-0123456789',
    'quota-key-0123456789',
    'allow-token-0123',
    'deny-token-01234',
    'unauth-token-012',
    'invalidator-secret-01',
    'mint-secret-0123456',
    PASSWORD,
    `gp:${PASSWORD}`,
  ]) {
    assert.ok(secrets.includes(value), value);
  }
  assert.ok(!secrets.includes('gateproof'), 'the audience is not a secret');
});

test('userinfo is redacted wherever a URL appears, even one gateproof was never told about', () => {
  const redact = createRedactor([]);
  const text = 'GET http://someone:hunter2@gw.example/x and https://a.example/p@q';
  const out = redact(text);
  assert.ok(!out.includes('hunter2') && !out.includes('someone:'), out);
  assert.ok(out.includes('https://a.example/p@q'), 'an @ in a path is not userinfo');
  assert.equal(redact(out), out, 'redacting twice changes nothing');
  assert.equal(withoutUserinfo('http://127.0.0.1:9/'), 'http://127.0.0.1:9/');
});

test("the results' target keeps the base URL without its password", () => {
  const { baseUrl } = targetSummary(profile);
  assert.ok(!baseUrl.includes(PASSWORD), baseUrl);
  assert.match(baseUrl, /^http:\/\/sha256:[0-9a-f]{8}…\(\d+ chars\)@127\.0\.0\.1:9$/);
});
