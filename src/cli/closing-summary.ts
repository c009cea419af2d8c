import { scenarioVerdict } from '../results/collect.js';
import { formatUs } from '../results/format.js';
import type { Results, ScenarioResult } from '../results/model.js';
import { scenarioSentence, thresholdLabel } from '../results/scenario-sentence.js';
import { casesBySuite } from '../results/suites.js';
import type { RunTimings } from '../run/run-gateproof.js';

const PASS = '✓';
const FAIL = '✗';
/** Not judged: the run could not show it. */
const UNJUDGED = '?';
const mark = (ok: boolean | null) => (ok === null ? UNJUDGED : ok ? PASS : FAIL);
const short = (n: number) => String(Number(n.toPrecision(4)));

function suiteLines(results: Results): string[] {
  const suites = [...casesBySuite(results.cases)];
  if (suites.length === 0) return [];
  const width = Math.max(...suites.map(([name]) => name.length));
  return [
    'suites',
    ...suites.map(([name, cases]) => {
      const counts = new Map<string, number>();
      for (const c of cases) counts.set(c.status, (counts.get(c.status) ?? 0) + 1);
      const failed = (counts.get('fail') ?? 0) > 0;
      const tally = [...counts].map(([status, n]) => `${n} ${status}`).join(', ');
      return `  ${failed ? FAIL : PASS} ${name.padEnd(width)}  ${tally}`;
    }),
  ];
}

function statuses(byStatus: Record<string, number>): string {
  const parts = Object.entries(byStatus).map(([code, n]) => `${code}: ${n}`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

function scenarioLines(s: ScenarioResult): string[] {
  const verdict = scenarioVerdict(s);
  const p = s.latency.percentiles ?? {};
  const latency = ['p50', 'p99']
    .filter((k) => p[k] !== undefined)
    .map((k) => `${k} ${formatUs(p[k] as number)}`)
    .join(', ');
  return [
    `  ${verdict === 'pass' ? PASS : verdict === 'fail' ? FAIL : UNJUDGED} ${s.id}: ${scenarioSentence(s)}`,
    ...(s.checks ?? []).map(
      (c) =>
        `      ${mark(c.ok)} ${c.metric} ${c.expr}${c.value === undefined ? '' : `  value ${short(c.value)}`}${c.bound === undefined ? '' : ` against ${short(c.bound)}`}${c.ok !== true && c.note ? `: ${c.note}` : ''}`,
    ),
    ...s.thresholds.map(
      (t) =>
        `      ${mark(t.ok)} ${thresholdLabel(t)}${t.value === undefined ? '' : `  value ${short(t.value)}`}`,
    ),
    `      ${s.totals.requests} requests${statuses(s.totals.byStatus)}, ${s.totals.dropped} dropped arrivals, ` +
      `${s.totals.errors} errors, ${s.durationS} s${latency ? `; latency ${latency}` : ''}`,
  ];
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * Where the run's time went: each phase from its start to its end, and within them each suite's
 * case time (suites run side by side, so theirs add up to more than the phase) and each
 * scenario's time, setup and findings included, longest first.
 */
function timeLines(results: Results, timings: RunTimings): string[] {
  const suites = [...casesBySuite(results.cases)]
    .map(([name, cases]) => [name, cases.reduce((sum, c) => sum + c.durationMs, 0)] as const)
    .sort((a, b) => b[1] - a[1]);
  const scenarios = Object.entries(timings.scenario).sort((a, b) => b[1] - a[1]);
  const list = (parts: readonly (readonly [string, number])[]) =>
    parts.map(([name, ms]) => `${name} ${seconds(ms)}`).join(', ');
  return [
    `time ${seconds(timings.total)}`,
    `  target     ${seconds(timings.target)}`,
    ...(suites.length > 0 ? [`  suites     ${seconds(timings.suites)}; case time: ${list(suites)}`] : []),
    ...(scenarios.length > 0 ? [`  scenarios  ${seconds(timings.scenarios)}: ${list(scenarios)}`] : []),
    `  reports    ${seconds(timings.reports)}`,
  ];
}

/**
 * What a run ended with, as `k6 run` and Playwright close theirs: each suite's tally, then each
 * scenario's finding against what was declared, its checks and thresholds with their metric
 * (✓ held, ✗ failed, ? not judged), and its totals; last, where the time went, when known.
 */
export function closingSummary(results: Results, timings?: RunTimings): string {
  const lines = [
    ...suiteLines(results),
    ...(results.scenarios.length > 0 ? ['scenarios', ...results.scenarios.flatMap(scenarioLines)] : []),
    ...(timings ? timeLines(results, timings) : []),
  ];
  return lines.length > 0 ? `\n${lines.join('\n')}\n\n` : '';
}

/** The run's summary for scripts (`--json`): verdict, counts, suites, scenarios and where the files are. */
export function jsonSummary(results: Results, outDir: string): Record<string, unknown> {
  return {
    schema: 'gateproof/summary@1',
    verdict: results.summary.verdict,
    reasons: results.summary.reasons,
    counts: results.summary.counts,
    run: { id: results.run.id, ...(results.run.interrupted && { interrupted: true }) },
    target: { name: results.target.name, vendor: results.target.vendor, version: results.target.version },
    suites: Object.fromEntries(
      [...casesBySuite(results.cases)].map(([name, cases]) => [
        name,
        {
          cases: cases.length,
          failed: cases.filter((c) => c.status === 'fail').map((c) => c.id),
        },
      ]),
    ),
    scenarios: results.scenarios.map((s) => ({
      id: s.id,
      verdict: scenarioVerdict(s),
      summary: scenarioSentence(s),
      checks: s.checks ?? [],
      thresholds: s.thresholds.map((t) => ({
        metric: t.metric ?? null,
        expr: t.expr,
        ok: t.ok,
        value: t.value ?? null,
      })),
      totals: s.totals,
      p99Us: s.latency.percentiles?.p99 ?? null,
    })),
    files: {
      results: `${outDir}/results.json`,
      report: `${outDir}/index.html`,
      junit: `${outDir}/junit.xml`,
      summary: `${outDir}/summary.md`,
    },
  };
}
