import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readRun, writeComparison } from '../src/report/compare-files.js';
import { buildComparison } from '../src/report/compare-model.js';
import { renderVendorMatrix } from '../src/report/vendor-matrix.js';
import { VENDOR_NOTES } from './vendor-notes.js';

/**
 * `npm run vendors`: one `gateproof run` per target gateproof can start (the reference gateway,
 * nginx, HAProxy, serverless-offline), `gateproof compare` over them, and `docs/vendors.md` from
 * the comparison. A target that cannot run here (not installed, not built) is left out and named
 * in the file with its reason. Extra arguments (`--no-load`) go to every run.
 */
const TARGETS = ['reference', 'nginx', 'haproxy', 'serverless-offline'];
const OUT = join('reports', 'vendors');
const DOC = join('docs', 'vendors.md');
const GATEPROOF = join('bin', 'gateproof.js');
const RUN_TIMEOUT_MS = 15 * 60_000;

const say = (line: string) => process.stderr.write(`vendors: ${line}\n`);
const extra = process.argv.slice(2);
const runs: string[] = [];
const missing: Array<{ target: string; reason: string }> = [];
for (const target of TARGETS) {
  const dir = join(OUT, target);
  rmSync(dir, { recursive: true, force: true });
  say(`gateproof run --target ${target} ${extra.join(' ')}`);
  const run = spawnSync(process.execPath, [GATEPROOF, 'run', '--target', target, '--out', dir, ...extra], {
    encoding: 'utf8',
    timeout: RUN_TIMEOUT_MS,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // 0 and 1 are verdicts; 3 is an incomplete run, still worth its column.
  if (existsSync(join(dir, 'results.json')) && run.status !== 2) runs.push(dir);
  else {
    const reason = (run.stderr ?? '').trim().split('\n').at(-1) || `exit ${run.status ?? run.signal}`;
    missing.push({ target, reason: reason.replace(/^gateproof: /, '') });
    say(`${target} left out: ${reason}`);
  }
}
if (runs.length === 0) throw new Error('no target could be run');
writeComparison(runs, join(OUT, 'compare'));
mkdirSync('docs', { recursive: true });
const comparison = buildComparison(runs.map(readRun));
writeFileSync(
  DOC,
  renderVendorMatrix(comparison, {
    generatedBy: `npm run vendors${extra.length ? ` -- ${extra.join(' ')}` : ''}`,
    notes: VENDOR_NOTES,
    missing,
  }),
);
say(`${runs.length} targets compared → ${DOC} (and ${join(OUT, 'compare', 'compare.html')})`);
