import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseProfile } from '../src/target/load-profile.js';
import { UsageError } from '../src/usage-error.js';
import { REPO } from './helpers/cli.js';

const minimal = `name: t
baseUrl: http://127.0.0.1:1
apiKeys:
  valid: \${KEY}
`;

test('substitutes ${ENV} in values and applies defaults', () => {
  const profile = parseProfile(minimal, 't.yaml', { KEY: 'abc123abc123abc123abc' });
  assert.equal(profile.apiKeys?.valid, 'abc123abc123abc123abc');
  assert.equal(profile.kind, 'url');
  assert.equal(profile.routes.keyed, '/keyed');
  assert.equal(profile.timeoutMs, 10_000);
});

test('a missing environment variable names the variable and the line', () => {
  assert.throws(
    () => parseProfile(minimal, 't.yaml', {}),
    (err: Error) => {
      assert.ok(err instanceof UsageError);
      assert.equal(err.message, 't.yaml:4: environment variable KEY is not set');
      return true;
    },
  );
});

test('a bad field is named with its line, in one line', () => {
  const text =
    'name: t\nbaseUrl: http://127.0.0.1:1\nplans:\n  tinyQuota:\n    quota: { limit: -1, period: DAY }\n';
  assert.throws(
    () => parseProfile(text, 'p.yaml', {}),
    (err: Error) => {
      assert.match(err.message, /^p\.yaml:5: plans\.tinyQuota\.quota\.limit: /);
      assert.doesNotMatch(err.message, /\n/);
      return true;
    },
  );
});

test('a missing required field points at its parent', () => {
  assert.throws(() => parseProfile('name: t\n', 'p.yaml', {}), { message: /^p\.yaml:1: baseUrl: / });
});

test('unknown fields are refused rather than ignored', () => {
  assert.throws(
    () => parseProfile('name: t\nbaseUrl: http://x\nbaseURL: http://y\n', 'p.yaml', {}),
    /p\.yaml:\d+: .*baseURL/,
  );
});

test('broken YAML is one line with its line number', () => {
  assert.throws(() => parseProfile('name: t\nbaseUrl: [\n', 'p.yaml', {}), {
    message: /^p\.yaml:\d+: invalid YAML: /,
  });
});

test('a value holding YAML syntax cannot change the structure', () => {
  const profile = parseProfile(minimal, 't.yaml', { KEY: 'x}, kind: nginx # ]: {' });
  assert.equal(profile.kind, 'url');
  assert.equal(profile.apiKeys?.valid, 'x}, kind: nginx # ]: {');
  // A newline could not have changed it either, but it cannot be sent in a header: refused at the door.
  assert.throws(() => parseProfile(minimal, 't.yaml', { KEY: 'x\nkind: nginx' }), {
    message: /^t\.yaml:4: apiKeys\.valid: cannot be sent in an HTTP header/,
  });
});

test('every example profile in targets/ is valid', () => {
  const env = new Proxy(
    {},
    {
      get: (_t, name) =>
        name === 'GATEPROOF_PROBE_URL' ? 'http://127.0.0.1:9' : `value-of-${String(name)}-0123456789`,
    },
  ) as NodeJS.ProcessEnv;
  for (const file of readdirSync(join(REPO, 'targets')).filter((f) => f.endsWith('.yaml'))) {
    const text = readFileSync(join(REPO, 'targets', file), 'utf8');
    assert.doesNotThrow(() => parseProfile(text, file, env), file);
  }
});
