import {
  type CaseResult,
  RESULTS_SCHEMA_ID,
  type Results,
  type RunEvent,
  type ScenarioResult,
  STATUSES,
  type Status,
} from './model.js';

/** An explicit verdict wins; otherwise a scenario fails when one of its thresholds does. */
export function scenarioVerdict(scenario: ScenarioResult): 'pass' | 'fail' {
  return scenario.verdict ?? (scenario.thresholds.every((t) => t.ok) ? 'pass' : 'fail');
}

export function summarize(
  cases: readonly CaseResult[],
  scenarios: readonly ScenarioResult[],
): Results['summary'] {
  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
  for (const c of cases) counts[c.status] += 1;
  // Only a broken promise fails a run: optional_fail, skip and the setup and harness failures are shown, never counted against the target.
  const failed =
    cases.some((c) => c.status === 'fail') || scenarios.some((s) => scenarioVerdict(s) === 'fail');
  return { counts, verdict: failed ? 'fail' : 'pass' };
}

/**
 * Folds a run's events into its results. Without a run-end the run was interrupted: it ends at its
 * last timestamped event (or `now`), and whatever finished before that is kept. A case or scenario
 * reported twice keeps its last report, in the place of its first.
 */
export function collectResults(events: readonly RunEvent[], now: Date = new Date()): Results {
  let start: Extract<RunEvent, { type: 'run-start' }> | undefined;
  let end: Extract<RunEvent, { type: 'run-end' }> | undefined;
  const cases = new Map<string, CaseResult>();
  const scenarios = new Map<string, ScenarioResult>();
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
      case 'case':
        cases.set(event.case.id, event.case);
        if (event.at) seen(Date.parse(event.at));
        break;
      case 'scenario':
        scenarios.set(event.scenario.id, event.scenario);
        if (event.at) seen(Date.parse(event.at));
        seen(Date.parse(event.scenario.startedAt) + event.scenario.durationS * 1000);
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
  return {
    schema: RESULTS_SCHEMA_ID,
    run: { ...start.run, finishedAt, ...(interrupted && { interrupted: true }) },
    target: start.target,
    cases: caseList,
    scenarios: scenarioList,
    summary: summarize(caseList, scenarioList),
  };
}
