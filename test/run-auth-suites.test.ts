import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { stringify } from 'yaml';
import { startReferenceStack } from '../src/reference/stack.js';
import type { Results } from '../src/results/model.js';
import { fingerprint } from '../src/results/redact.js';
import { validateResults } from '../src/results/validate.js';
import { secretsOf } from '../src/target/secrets.js';
import { gateproof } from './helpers/cli.js';
import { startCredentialRecorder } from './helpers/credential-recorder.js';

/** Issue 3's "done when": the authentication suites pass against the reference, and leak nothing. */

const SUITES = 'sigv4,jwt,authorizer';
const OUTPUTS = ['results.json', 'index.html', 'junit.xml', 'summary.md', 'events.ndjson'];
const JWT = /eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/;

for (const profile of ['aws', 'generic'] as const) {
  test(`gateproof run --suites ${SUITES} --profile ${profile} against the reference gateway passes`, async () => {
    const out = mkdtempSync(join(tmpdir(), `gp-auth-${profile}-`));
    const result = await gateproof(
      ['run', '--suites', SUITES, '--no-load', '--profile', profile, '--out', out],
      {
        timeoutMs: 180_000,
      },
    );
    assert.equal(result.code, 0, result.stdout + result.stderr);
    for (const file of OUTPUTS) assert.ok(existsSync(join(out, file)), file);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    assert.deepEqual(validateResults(results), []);
    assert.ok(results.cases.length >= 45, `${results.cases.length} cases`);
    for (const suite of SUITES.split(','))
      assert.ok(
        results.cases.some((c) => c.suite === suite),
        suite,
      );
    // Under generic, the AWS-only cases (exact bodies and headers) are skipped; nothing else may be.
    const allowed = profile === 'aws' ? ['pass'] : ['pass', 'skip'];
    const odd = results.cases.filter((c) => !allowed.includes(c.status));
    assert.deepEqual(
      odd.map((c) => `${c.id}: ${c.status} ${c.message ?? ''}`),
      [],
    );
    assert.equal(results.summary.verdict, 'pass');
  });
}

/** The profile as YAML whose secrets are `${ENV}` references, as a user would write it. */
function profileFile(value: unknown, secrets: readonly string[], env: Record<string, string>): unknown {
  if (typeof value === 'string') {
    const index = secrets.indexOf(value);
    if (index < 0) return value;
    env[`GP_TEST_SECRET_${index}`] = value;
    return `\${GP_TEST_SECRET_${index}}`;
  }
  if (Array.isArray(value)) return value.map((item) => profileFile(item, secrets, env));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, profileFile(v, secrets, env)]));
  }
  return value;
}

test('no secret key, whole token or whole signature sent in a run appears in its reports or console', async () => {
  const stack = await startReferenceStack();
  const recorder = await startCredentialRecorder(stack.gatewayUrl);
  try {
    const secrets = secretsOf(stack.profile);
    const env: Record<string, string> = {};
    const target = { ...stack.profile, name: 'reference-recorded', kind: 'url', baseUrl: recorder.url };
    const dir = mkdtempSync(join(tmpdir(), 'gp-auth-secrets-'));
    const file = join(dir, 'target.yaml');
    writeFileSync(file, stringify(profileFile(target, secrets, env)));
    const out = join(dir, 'out');
    const result = await gateproof(['run', '--target', file, '--suites', SUITES, '--no-load', '--out', out], {
      env,
      timeoutMs: 180_000,
    });
    assert.equal(result.code, 0, result.stdout + result.stderr);

    const sent = [...recorder.seen];
    assert.ok(sent.filter((s) => JWT.test(s)).length >= 30, 'the run sent tokens through the recorder');
    assert.ok(
      sent.some((s) => /^[0-9a-f]{64}$/.test(s)),
      'the run sent SigV4 signatures through the recorder',
    );
    const needles = [...new Set([...secrets, ...sent])].filter((s) => s.length >= 12);
    const texts: [string, string][] = [
      ...OUTPUTS.map((name): [string, string] => [name, readFileSync(join(out, name), 'utf8')]),
      ['console', result.stdout + result.stderr],
    ];
    for (const [name, text] of texts) {
      const leaked = needles.filter((s) => text.includes(s) || text.includes(encodeURIComponent(s)));
      assert.deepEqual(leaked.map(fingerprint), [], `${name} holds secrets`);
      assert.doesNotMatch(text, JWT, `${name} holds a whole JWT`);
    }
  } finally {
    await recorder.close();
    await stack.close();
  }
});
