import {
  type CaseResult,
  RESULTS_SCHEMA_ID,
  type Results,
  type RunEvent,
  type ScenarioResult,
  STATUSES,
  type Status,
} from './model.js';
import { judgeRun, type NotRun, notRunSummary } from './verdict.js';

export { scenarioVerdict } from './verdict.js';

const NOTHING_MISSING: NotRun = { suites: [], cases: [], scenarios: [] };

export function summarize(
  cases: readonly CaseResult[],
  scenarios: readonly ScenarioResult[],
  notRun: NotRun = NOTHING_MISSING,
  interrupted = false,
): Results['summary'] {
  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
  for (const c of cases) counts[c.status] += 1;
  const missing = notRunSummary(notRun);
  return { counts, ...judgeRun(cases, scenarios, notRun, interrupted), ...(missing && { notRun: missing }) };
}

type Start = Extract<RunEvent, { type: 'run-start' }>;

/** What the plan named and no event reported: suites with no case, cases never ended, scenarios neither run nor skipped as unclaimed. */
function whatDidNotRun(
  plan: Start['plan'],
  planned: readonly { id: string; suite: string }[],
  cases: ReadonlyMap<string, CaseResult>,
  scenarios: ReadonlyMap<string, ScenarioResult>,
  skipped: ReadonlyMap<string, { reason: string; claimed: boolean }>,
): NotRun {
  const ran = new Set([...cases.values()].map((c) => c.suite));
  const suites = [...new Set([...(plan?.suites ?? []), ...planned.map((c) => c.suite)])];
  return {
    suites: suites.filter((s) => !ran.has(s)),
    cases: planned.filter((c) => !cases.has(c.id)).map((c) => c.id),
    scenarios: [...new Set([...(plan?.scenarios ?? []), ...skipped.keys()])]
      .filter((id) => !scenarios.has(id) && skipped.get(id)?.claimed !== false)
      .map((id) => {
        const reason = skipped.get(id)?.reason;
        return reason === undefined ? { id } : { id, reason };
      }),
  };
}

/**
 * Folds a run's events into its results. Without a run-end the run was interrupted: it ends at its
 * last timestamped event (or `now`), and whatever finished before that is kept. A case or scenario
 * reported twice keeps its last report, in the place of its first. What the plan named and never
 * ran is listed in `summary.notRun`.
 */
export function collectResults(events: readonly RunEvent[], now: Date = new Date()): Results {
  let start: Start | undefined;
  let end: Extract<RunEvent, { type: 'run-end' }> | undefined;
  const cases = new Map<string, CaseResult>();
  const scenarios = new Map<string, ScenarioResult>();
  const skipped = new Map<string, { reason: string; claimed: boolean }>();
  const planned = new Map<string, { id: string; suite: string }>();
  let lastSeen: number | undefined;
  const seen = (time: number) => {
    if (Number.isFinite(time)) lastSeen = Math.max(lastSeen ?? time, time);
  };
  for (const event of events) {
    switch (event.type) {
      case 'run-start':
        start = event;
        seen(Date.parse(event.run.startedAt));
        break;
      case 'case-plan':
        for (const c of event.cases) planned.set(c.id, c);
        break;
      case 'case':
        cases.set(event.case.id, event.case);
        if (event.at) seen(Date.parse(event.at));
        break;
      case 'scenario':
        scenarios.set(event.scenario.id, event.scenario);
        if (event.at) seen(Date.parse(event.at));
        seen(Date.parse(event.scenario.startedAt) + event.scenario.durationS * 1000);
        break;
      case 'scenario-skip':
        skipped.set(event.id, { reason: event.reason, claimed: event.claimed });
        if (event.at) seen(Date.parse(event.at));
        break;
      case 'run-end':
        end = event;
        break;
    }
  }
  if (!start)
    throw new Error('the events hold no run-start: nothing says which run or target they belong to');
  const interrupted = !end || end.interrupted === true;
  const finishedAt = end?.finishedAt ?? new Date(lastSeen ?? now.getTime()).toISOString();
  const caseList = [...cases.values()];
  const scenarioList = [...scenarios.values()];
  const notRun = whatDidNotRun(start.plan, [...planned.values()], cases, scenarios, skipped);
  return {
    schema: RESULTS_SCHEMA_ID,
    run: { ...start.run, finishedAt, ...(interrupted && { interrupted: true }) },
    target: start.target,
    cases: caseList,
    scenarios: scenarioList,
    summary: summarize(caseList, scenarioList, notRun, interrupted),
  };
}
