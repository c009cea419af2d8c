import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type Probe, startProbe } from '../src/probe/server.js';
import type { Results } from '../src/results/model.js';
import {
  HOSTILE,
  type Hostile,
  HUGE_BODY_BYTES,
  SCRIPT,
  startHostileGateway,
} from './helpers/hostile-gateways.js';
import { watchedRun } from './helpers/watched-run.js';

/**
 * gateproof against gateways that are hostile on purpose: every run ends with its exit code, at
 * most one line of error and no stack trace, within its time and memory, with outputs under
 * 1 MB, nothing the gateway sent executable in the report, and no secret anywhere.
 * GATEPROOF_HOSTILE=a,b narrows the corpus.
 */

const dir = mkdtempSync(join(tmpdir(), 'gp-hostile-'));
const TIMEOUT_MS = 1000;
const SECRETS = {
  GP_HOSTILE_PASSWORD: 'pw-Zq8v1Lr4Xw',
  GP_HOSTILE_KEY: 'key-valid-7Hc2Qm9Tn4Vb',
  GP_HOSTILE_DISABLED: 'key-disabled-3Jd8Kp1Ws6',
  GP_HOSTILE_OTHER: 'key-other-5Nf0Gy2Re7Ua',
};
const MAX_OUTPUT_BYTES = 1024 * 1024;
/** Any one process of the run (gateproof, Playwright's runner, its worker), and all of them together. */
const MAX_PEAK_MIB = 400;
const MAX_TREE_MIB = 800;

/**
 * Exit code and wall time of each: unreachable ones end at the reachability check (5 s) with 2;
 * the others break promises (1), or leave a core case unable to run (3, incomplete).
 */
const BROKEN = [1, 3];
const EXPECTED: Record<Hostile, { codes: number[]; maxMs: number }> = {
  hang: { codes: [2], maxMs: 15_000 },
  reset: { codes: [2], maxMs: 10_000 },
  garbage: { codes: [2], maxMs: 10_000 },
  'huge-body': { codes: BROKEN, maxMs: 30_000 },
  'endless-body': { codes: BROKEN, maxMs: 40_000 },
  'drip-body': { codes: BROKEN, maxMs: 40_000 },
  'slow-headers': { codes: BROKEN, maxMs: 40_000 },
  'redirect-loop': { codes: BROKEN, maxMs: 30_000 },
  script: { codes: BROKEN, maxMs: 30_000 },
  'many-headers': { codes: BROKEN, maxMs: 30_000 },
  'hang-after-first': { codes: BROKEN, maxMs: 40_000 },
};

/** A real probe, read directly, so the cases judge the gateway rather than stop at setup. */
let probe: Probe;
before(async () => {
  probe = await startProbe();
});
after(() => probe.close());

const only = process.env.GATEPROOF_HOSTILE?.split(',');

function profileFor(kind: string, url: string): string {
  const file = join(dir, `${kind}.yaml`);
  const { host } = new URL(url);
  writeFileSync(
    file,
    [
      `name: hostile-${kind}`,
      // A password in the base URL must leave no trace in any output.
      `baseUrl: http://gp-user:\${GP_HOSTILE_PASSWORD}@${host}`,
      `timeoutMs: ${TIMEOUT_MS}`,
      'features: [apikey]',
      `probe: { url: "${probe.url}" }`,
      'apiKeys:',
      '  valid: ${GP_HOSTILE_KEY}',
      '  disabled: ${GP_HOSTILE_DISABLED}',
      '  otherStage: ${GP_HOSTILE_OTHER}',
      '',
    ].join('\n'),
  );
  return file;
}

function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

for (const kind of HOSTILE) {
  test(`a gateway that answers with ${kind}`, { skip: only && !only.includes(kind) }, async (t) => {
    const gateway = await startHostileGateway(kind);
    const out = join(dir, `out-${kind}`);
    try {
      const run = await watchedRun(
        ['run', '--target', profileFor(kind, gateway.url), '--no-load', '--suites', 'apikey', '--out', out],
        { env: SECRETS },
      );
      const expected = EXPECTED[kind];
      const console = `${run.stdout}\n${run.stderr}`;
      assert.ok(expected.codes.includes(run.code ?? -1), `exit ${run.code}:\n${console}`);
      assert.ok(
        run.stderr.trim().split('\n').filter(Boolean).length <= 1,
        `one line of error at most:\n${run.stderr}`,
      );
      assert.doesNotMatch(console, /\n\s+at .+:\d+:\d+\)?\n/, 'no stack trace');
      assert.ok(run.ms < expected.maxMs, `took ${run.ms} ms (bound ${expected.maxMs})`);
      assert.ok(run.peakMiB < MAX_PEAK_MIB, `peak memory of one process ${run.peakMiB} MiB`);
      assert.ok(run.peakTreeMiB < MAX_TREE_MIB, `peak memory of the run ${run.peakTreeMiB} MiB`);
      t.diagnostic(
        `${kind}: exit ${run.code}, ${run.ms} ms, ${run.peakMiB} MiB (run: ${run.peakTreeMiB} MiB)`,
      );
      for (const secret of Object.values(SECRETS)) {
        assert.ok(!console.includes(secret), `a secret on the console:\n${console}`);
      }
      if (run.code === 2) return;
      for (const file of filesUnder(out)) {
        const size = statSync(file).size;
        assert.ok(size < MAX_OUTPUT_BYTES, `${file}: ${size} bytes`);
        const text = readFileSync(file, 'utf8');
        for (const secret of Object.values(SECRETS)) assert.ok(!text.includes(secret), `a secret in ${file}`);
        if (file.endsWith('.html')) {
          assert.ok(!text.includes(SCRIPT), `the gateway's script runs in ${file}`);
          assert.ok(!text.includes('<img src=x'), `the gateway's markup renders in ${file}`);
        }
      }
      const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
      assert.ok(results.cases.length > 0, 'the cases ran');
      // It may refuse what must be refused, but it never admits a valid key to the origin.
      const valid = results.cases.find((c) => c.id === 'apikey.accept.valid');
      assert.equal(valid?.status, 'fail', 'a valid key is not admitted to the origin');
      // Each exchange ends within its deadline, whatever the gateway sends: a case in a few of them.
      for (const c of results.cases) {
        assert.ok(c.durationMs < 4 * TIMEOUT_MS + 2000, `${c.id} took ${c.durationMs} ms`);
      }
      if (kind === 'huge-body') {
        const sizes = results.cases.flatMap((c) => c.evidence.map((e) => e.response?.bodyBytes ?? 0));
        assert.ok(Math.max(...sizes) < HUGE_BODY_BYTES, 'a body is read only up to the cap');
        assert.ok(Math.max(...sizes) > 1024 * 1024, 'and its length is recorded');
      }
      if (kind === 'drip-body' || kind === 'hang-after-first' || kind === 'slow-headers') {
        const reasons = results.cases.flatMap((c) => c.evidence.map((e) => e.error ?? ''));
        assert.ok(
          reasons.some((r) => r.includes(`within ${TIMEOUT_MS} ms`)),
          `the deadline is the reason in evidence: ${reasons.join(' | ')}`,
        );
        // One exchange ends each case: about timeoutMs, however slowly the gateway goes on.
        for (const c of results.cases.filter((c) => c.status === 'fail')) {
          assert.ok(c.durationMs < 2 * TIMEOUT_MS + 1000, `${c.id} took ${c.durationMs} ms`);
        }
      }
    } finally {
      await gateway.close();
    }
  });
}
