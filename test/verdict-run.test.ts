import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { startReferenceStack } from '../src/reference/stack.js';
import type { Results } from '../src/results/model.js';
import { validateResults } from '../src/results/validate.js';
import { secretsOf } from '../src/target/secrets.js';
import { gateproof, REPO } from './helpers/cli.js';

/** Issue 9's "done when": a PASS only when every claimed promise was seen kept. */

const BIN = fileURLToPath(new URL('../../bin/gateproof.js', import.meta.url));

function readRun(out: string): Results {
  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
  assert.deepEqual(validateResults(results), []);
  return results;
}

/** Runs the CLI and sends `signal` once `when` says so (given what it printed so far). */
function interruptedRun(
  args: string[],
  signal: NodeJS.Signals,
  when: (stdout: string) => boolean,
): Promise<{ code: number | null; stdout: string; stderr: string; sent: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: REPO,
      env: { ...process.env, CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let sent = false;
    const poll = setInterval(() => {
      if (!sent && when(stdout)) {
        sent = true;
        child.kill(signal);
      }
    }, 50);
    const hard = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(poll);
      clearTimeout(hard);
      resolve({ code, stdout, stderr, sent });
    });
  });
}

test('a run interrupted with SIGINT mid-suite is incomplete (exit 3), keeps what ran and lists what did not', async () => {
  const out = mkdtempSync(join(tmpdir(), 'gp-sigint-'));
  const run = await interruptedRun(
    ['run', '--suites', 'apikey,cors,quota', '--no-load', '--out', out],
    'SIGINT',
    (stdout) => (stdout.match(/^✓ pass/gm) ?? []).length >= 3,
  );
  assert.ok(run.sent, run.stdout + run.stderr);
  assert.equal(run.code, 3, run.stdout.slice(-2000) + run.stderr);
  assert.match(run.stdout, /^gateproof: INCOMPLETE \(.*\n {2}- the run was interrupted before it finished$/m);
  const results = readRun(out);
  assert.equal(results.run.interrupted, true);
  assert.equal(results.summary.verdict, 'incomplete');
  assert.equal(results.summary.reasons[0], 'the run was interrupted before it finished');
  const notRun = results.summary.notRun;
  assert.ok(notRun, 'what did not run is listed');
  assert.ok(results.cases.filter((c) => c.status === 'pass').length >= 3);
  assert.ok(notRun.cases.length > 0, 'cases that never ran are listed');
  for (const id of notRun.cases)
    assert.ok(!results.cases.some((c) => c.id === id), `${id} both ran and did not`);
  // A case cut by the signal is not blamed on anyone: it did not run.
  assert.deepEqual(
    results.cases.filter((c) => c.status === 'harness_fail' || c.status === 'fail').map((c) => c.id),
    [],
  );
  assert.ok(notRun.suites.length > 0, 'the suites not reached are listed');
  assert.match(
    readFileSync(join(out, 'summary.md'), 'utf8'),
    /^## ⚠️ gateproof: INCOMPLETE\n\n- the run was interrupted/,
  );
  assert.match(
    readFileSync(join(out, 'junit.xml'), 'utf8'),
    /<testsuite name="verdict"[^>]*>\n\s*<testcase [^>]*name="gateproof: INCOMPLETE"[^>]*>\n\s*<error message="INCOMPLETE: the run was interrupted/,
  );
  assert.match(readFileSync(join(out, 'index.html'), 'utf8'), /id="verdict">INCOMPLETE<\/span>/);
});

test('a scenario cut by SIGTERM is interrupted: what it measured is kept, none of its thresholds judged', async () => {
  const out = mkdtempSync(join(tmpdir(), 'gp-sigterm-'));
  // The run starts once the target is up; the warm-up and the idle spell take about 2 s, then the
  // scenario offers 10 s of load: 5 s after the run starts is inside it.
  let runStarted: number | undefined;
  const run = await interruptedRun(['load', '--scenario', 'throttle-steady', '--out', out], 'SIGTERM', () => {
    if (runStarted === undefined && existsSync(join(out, 'events.ndjson'))) runStarted = Date.now();
    return runStarted !== undefined && Date.now() - runStarted > 5000;
  });
  assert.equal(run.code, 3, run.stdout + run.stderr);
  const results = readRun(out);
  assert.equal(results.summary.verdict, 'incomplete');
  const [scenario] = results.scenarios;
  assert.ok(scenario, 'the cut scenario is written');
  assert.equal(scenario.verdict, 'interrupted');
  assert.ok(scenario.totals.requests > 0, 'what was measured is kept');
  assert.ok(scenario.thresholds.length > 0);
  for (const t of scenario.thresholds) assert.equal(t.ok, null, `${t.expr} was judged`);
  for (const c of scenario.checks ?? []) assert.equal(c.ok, null, `${c.metric} was judged`);
  assert.deepEqual(results.summary.reasons, [
    'the run was interrupted before it finished',
    'scenario throttle-steady was interrupted: its thresholds and checks were not judged',
  ]);
  assert.doesNotMatch(readFileSync(join(out, 'summary.md'), 'utf8'), /❌/);
});

/** The profile as YAML whose secrets are `${ENV}` references, as a user would write it. */
function withEnvSecrets(value: unknown, secrets: readonly string[], env: Record<string, string>): unknown {
  if (typeof value === 'string') {
    const index = secrets.indexOf(value);
    if (index < 0) return value;
    env[`GP_VERDICT_SECRET_${index}`] = value;
    return `\${GP_VERDICT_SECRET_${index}}`;
  }
  if (Array.isArray(value)) return value.map((item) => withEnvSecrets(item, secrets, env));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withEnvSecrets(v, secrets, env)]));
  }
  return value;
}

test('a url target claiming jwt with no usable issuer, and no probe, exits 3: incomplete, never pass', async () => {
  const stack = await startReferenceStack();
  try {
    const env: Record<string, string> = {};
    const { probe: _probe, jwt, ...rest } = stack.profile;
    const target = {
      ...rest,
      name: 'no-issuer-no-probe',
      kind: 'url',
      features: ['apikey', 'jwt'],
      jwt: { issuer: 'builtin', audience: jwt?.audience ?? 'gateproof' },
    };
    const dir = mkdtempSync(join(tmpdir(), 'gp-setup-'));
    const file = join(dir, 'target.yaml');
    writeFileSync(file, stringify(withEnvSecrets(target, secretsOf(stack.profile), env)));
    const out = join(dir, 'out');
    const result = await gateproof(
      ['run', '--target', file, '--suites', 'apikey,jwt', '--no-load', '--out', out],
      {
        env,
        timeoutMs: 180_000,
      },
    );
    assert.equal(result.code, 3, result.stdout.slice(-2000) + result.stderr);
    const results = readRun(out);
    assert.equal(results.summary.verdict, 'incomplete');
    const reasons = results.summary.reasons.join('\n');
    assert.match(reasons, /claimed core case\(s\) are setup_fail: /);
    const jwtCases = results.cases.filter((c) => c.suite === 'jwt');
    assert.ok(jwtCases.length > 10);
    // Cases of parts the profile does not claim (jwt-rotation) skip; every other one needs the issuer.
    assert.ok(
      jwtCases.every((c) => c.status === 'setup_fail' || c.status === 'skip'),
      'no jwt case could be set up',
    );
    assert.ok(jwtCases.filter((c) => c.status === 'setup_fail').length > 10);
    assert.ok(
      results.cases.some((c) => c.status === 'setup_fail' && /no probe\.url/.test(c.message ?? '')),
      'the cases that need the probe say so',
    );
    assert.match(result.stdout, /^gateproof: INCOMPLETE /m);
  } finally {
    await stack.close();
  }
});

test('against the reference with a doubled burst, throttle-burst fails naming the finding; without it, it passes', async () => {
  const run = async (args: string[]) => {
    const out = mkdtempSync(join(tmpdir(), 'gp-burst-'));
    const result = await gateproof(
      ['run', '--suites', 'apikey', '--scenarios', 'throttle-burst', '--out', out, ...args],
      {
        timeoutMs: 180_000,
      },
    );
    return { result, results: readRun(out) };
  };
  const faulty = await run(['--fault', 'throttle-burst-doubled']);
  assert.equal(faulty.result.code, 1, faulty.result.stdout.slice(-2000));
  assert.match(
    faulty.result.stdout,
    /^ {2}- scenario throttle-burst failed: .*throttle\.burst: within\(declared, 10%\)/m,
  );
  const burst = faulty.results.scenarios[0]?.checks?.find((c) => c.metric === 'throttle.burst');
  assert.equal(burst?.ok, false);
  assert.equal(
    faulty.results.cases.filter((c) => c.status !== 'pass').length,
    0,
    'no case is broken by the fault',
  );

  const clean = await run([]);
  assert.equal(clean.result.code, 0, clean.result.stdout.slice(-2000));
  assert.equal(clean.results.summary.verdict, 'pass');
  assert.ok(clean.results.scenarios[0]?.checks?.every((c) => c.ok === true));
});
