import type { CaseResult, Results, ScenarioResult, ScenarioVerdict, Verdict } from './model.js';

/** An explicit verdict wins; otherwise a scenario fails when one of its thresholds does. */
export function scenarioVerdict(scenario: ScenarioResult): ScenarioVerdict {
  return scenario.verdict ?? (scenario.thresholds.every((t) => t.ok !== false) ? 'pass' : 'fail');
}

/** What was planned and did not run to its end, with why for scenarios that were told. */
export interface NotRun {
  suites: string[];
  cases: string[];
  scenarios: { id: string; reason?: string }[];
}

const LISTED = 5;

function ids(list: readonly string[]): string {
  const shown = list.slice(0, LISTED).join(', ');
  return list.length > LISTED ? `${shown} and ${list.length - LISTED} more` : shown;
}

function failedScenario(s: ScenarioResult): string {
  const broken = [
    ...(s.checks ?? [])
      .filter((c) => c.ok === false)
      .map((c) => `${c.metric}: ${c.expr}${c.note ? ` (${c.note})` : ''}`),
    ...s.thresholds
      .filter((t) => t.ok === false)
      .map(
        (t) =>
          `${t.metric ? `${t.metric}: ` : ''}${t.expr}${t.value === undefined ? '' : ` (value ${t.value})`}`,
      ),
  ];
  return `scenario ${s.id} failed: ${broken.join('; ') || 'its verdict is fail'}`;
}

function incompleteScenario(s: ScenarioResult): string {
  const unjudged = (s.checks ?? [])
    .filter((c) => c.ok === null)
    .map((c) => `${c.metric}${c.note ? ` (${c.note})` : ''}`);
  return `scenario ${s.id} could not be judged: ${unjudged.join('; ') || 'its verdict is incomplete'}`;
}

/**
 * The run's verdict and why. A promise seen broken is `fail` even when the run is also
 * incomplete: what was observed stands, and the incompleteness is given as a further reason.
 * Otherwise the run is `incomplete` when it was interrupted, when something planned did not run,
 * when a claimed `core` case could not be set up or its harness broke, or when a scenario could
 * not be judged. Only when none of that holds is it a `pass`.
 */
export function judgeRun(
  cases: readonly CaseResult[],
  scenarios: readonly ScenarioResult[],
  notRun: NotRun,
  interrupted: boolean,
): { verdict: Verdict; reasons: string[] } {
  const failures: string[] = [];
  const gaps: string[] = [];
  const failed = cases.filter((c) => c.status === 'fail').map((c) => c.id);
  if (failed.length > 0) failures.push(`${failed.length} core case(s) failed: ${ids(failed)}`);
  for (const s of scenarios) {
    const verdict = scenarioVerdict(s);
    if (verdict === 'fail') failures.push(failedScenario(s));
    // A failed scenario's unjudged checks are told too: they were not seen kept either.
    if (verdict === 'incomplete' || (verdict === 'fail' && s.checks?.some((c) => c.ok === null)))
      gaps.push(incompleteScenario(s));
    else if (verdict === 'interrupted')
      gaps.push(`scenario ${s.id} was interrupted: its thresholds and checks were not judged`);
  }
  if (interrupted) gaps.unshift('the run was interrupted before it finished');
  for (const status of ['setup_fail', 'harness_fail'] as const) {
    const list = cases.filter((c) => c.status === status && c.level === 'core');
    if (list.length === 0) continue;
    const message = list[0]?.message?.replace(/^\[(setup|harness)_fail\]\s*/, '');
    const first = message ? `; first: ${message.slice(0, 200)}` : '';
    gaps.push(`${list.length} claimed core case(s) are ${status}: ${ids(list.map((c) => c.id))}${first}`);
  }
  if (notRun.suites.length > 0) gaps.push(`suite(s) that did not run: ${ids(notRun.suites)}`);
  if (notRun.cases.length > 0) gaps.push(`${notRun.cases.length} case(s) did not run: ${ids(notRun.cases)}`);
  for (const s of notRun.scenarios)
    gaps.push(`scenario ${s.id} did not run${s.reason ? `: ${s.reason}` : ''}`);
  const verdict: Verdict = failures.length > 0 ? 'fail' : gaps.length > 0 ? 'incomplete' : 'pass';
  return { verdict, reasons: [...failures, ...gaps] };
}

/** `notRun` as results.json holds it: absent when everything ran. */
export function notRunSummary(notRun: NotRun): Results['summary']['notRun'] {
  if (notRun.suites.length + notRun.cases.length + notRun.scenarios.length === 0) return undefined;
  return { suites: notRun.suites, cases: notRun.cases, scenarios: notRun.scenarios.map((s) => s.id) };
}
