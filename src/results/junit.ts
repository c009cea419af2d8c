import { scenarioVerdict } from './collect.js';
import { escapeXmlAttribute as attr, escapeMarkup as text } from './escape.js';
import { evidenceText } from './evidence-text.js';
import type { CaseResult, Results, ScenarioResult } from './model.js';
import { scenarioSentence, thresholdLabel } from './scenario-sentence.js';
import { casesBySuite } from './suites.js';

/** CI log viewers choke on megabytes of body: the full evidence is in results.json and index.html. */
const BODY_LIMIT = 2000;

const seconds = (ms: number) => (ms / 1000).toFixed(3);

function caseDetail(c: CaseResult): string {
  return [c.message ?? '', ...c.evidence.map((e) => evidenceText(e, BODY_LIMIT))]
    .filter(Boolean)
    .join('\n\n');
}

function caseOutcome(c: CaseResult): string {
  const message = c.message ?? c.status;
  switch (c.status) {
    case 'pass':
      return '';
    case 'fail':
      return `<failure message="${attr(message)}" type="fail">${text(caseDetail(c))}</failure>`;
    case 'skip':
      return `<skipped message="${attr(message)}"/>`;
    case 'setup_fail':
    case 'harness_fail':
      // An error, not a failure: the harness or the setup broke, not the gateway's promise.
      return `<error message="${attr(message)}" type="${c.status}">${text(caseDetail(c))}</error>`;
    case 'optional_fail':
      return `<system-out>${text(`optional_fail (allowed, not counted): ${caseDetail(c)}`)}</system-out>`;
  }
}

function testcase(classname: string, name: string, ms: number, outcome: string): string {
  const open = `<testcase classname="${attr(classname)}" name="${attr(name)}" time="${seconds(ms)}"`;
  return outcome ? `    ${open}>\n      ${outcome}\n    </testcase>` : `    ${open}/>`;
}

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  ms: number;
}

function testsuite(name: string, timestamp: string, counts: Counts, body: string[]): string {
  const { tests, failures, errors, skipped, ms } = counts;
  return [
    `  <testsuite name="${attr(name)}" tests="${tests}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${seconds(ms)}" timestamp="${attr(timestamp)}">`,
    ...body,
    '  </testsuite>',
  ].join('\n');
}

function caseCounts(cases: readonly CaseResult[]): Counts {
  return {
    tests: cases.length,
    failures: cases.filter((c) => c.status === 'fail').length,
    errors: cases.filter((c) => c.status === 'setup_fail' || c.status === 'harness_fail').length,
    skipped: cases.filter((c) => c.status === 'skip').length,
    ms: cases.reduce((sum, c) => sum + c.durationMs, 0),
  };
}

const judged = (ok: boolean | null) => (ok === null ? 'NOT JUDGED' : ok ? 'ok' : 'FAILED');

function scenarioCase(s: ScenarioResult): string {
  const lines = [
    scenarioSentence(s),
    ...(s.checks ?? []).map(
      (c) =>
        `${judged(c.ok)}: check ${c.metric}: ${c.expr}${c.value === undefined ? '' : ` (value ${c.value})`}${c.note ? `: ${c.note}` : ''}`,
    ),
    ...s.thresholds.map(
      (t) => `${judged(t.ok)}: ${thresholdLabel(t)}${t.value === undefined ? '' : ` (value ${t.value})`}`,
    ),
  ];
  const failed = [
    ...(s.checks ?? []).filter((c) => c.ok === false).map((c) => `${c.metric}: ${c.expr}`),
    ...s.thresholds.filter((t) => t.ok === false).map(thresholdLabel),
  ];
  const verdict = scenarioVerdict(s);
  const body = text(lines.join('\n'));
  const outcome =
    verdict === 'fail'
      ? `<failure message="${attr(failed.length > 0 ? `failed: ${failed.join(', ')}` : 'scenario verdict: fail')}" type="threshold">${body}</failure>`
      : verdict === 'pass'
        ? `<system-out>${body}</system-out>`
        : `<error message="${attr(`scenario ${verdict}: not judged`)}" type="${verdict}">${body}</error>`;
  return testcase('gateproof.scenarios', `${s.id}: ${s.title ?? s.executor}`, s.durationS * 1000, outcome);
}

/**
 * The run's verdict as the first testcase, so a CI view shows INCOMPLETE (an error) or FAIL and
 * why before any single case; what did not run is listed in it.
 */
function verdictSuite(results: Results): { name: string; counts: Counts; body: string[] } {
  const { verdict, reasons, notRun } = results.summary;
  const detail = [
    ...reasons,
    ...(notRun
      ? [
          `did not run: suites ${notRun.suites.join(', ') || 'none'}; scenarios ${notRun.scenarios.join(', ') || 'none'}; cases ${notRun.cases.join(', ') || 'none'}`,
        ]
      : []),
  ].join('\n');
  const message = `${verdict.toUpperCase()}${reasons[0] ? `: ${reasons[0]}` : ''}`;
  const outcome =
    verdict === 'pass'
      ? ''
      : verdict === 'fail'
        ? `<failure message="${attr(message)}" type="fail">${text(detail)}</failure>`
        : `<error message="${attr(message)}" type="incomplete">${text(detail)}</error>`;
  return {
    name: 'verdict',
    counts: {
      tests: 1,
      failures: verdict === 'fail' ? 1 : 0,
      errors: verdict === 'incomplete' ? 1 : 0,
      skipped: 0,
      ms: 0,
    },
    body: [testcase('gateproof.verdict', `gateproof: ${verdict.toUpperCase()}`, 0, outcome)],
  };
}

/** JUnit XML: the run's verdict first, then one testsuite per suite, one testcase per case, and the scenarios that set thresholds or a verdict. */
export function toJUnit(results: Results): string {
  const suites = [...casesBySuite(results.cases)].map(([suite, cases]) => ({
    name: suite,
    counts: caseCounts(cases),
    body: cases.map((c) =>
      testcase(`gateproof.${suite}`, `${c.id}: ${c.title}`, c.durationMs, caseOutcome(c)),
    ),
  }));
  const shown = results.scenarios.filter((s) => s.thresholds.length > 0 || s.verdict !== undefined);
  if (shown.length > 0) {
    const verdicts = shown.map(scenarioVerdict);
    const counts: Counts = {
      tests: shown.length,
      failures: verdicts.filter((v) => v === 'fail').length,
      errors: verdicts.filter((v) => v === 'incomplete' || v === 'interrupted').length,
      skipped: 0,
      ms: shown.reduce((sum, s) => sum + s.durationS * 1000, 0),
    };
    suites.push({ name: 'scenarios', counts, body: shown.map(scenarioCase) });
  }
  suites.unshift(verdictSuite(results));
  const total = (key: keyof Counts) => suites.reduce((sum, s) => sum + s.counts[key], 0);
  const { run } = results;
  const elapsed = Math.max(0, Date.parse(run.finishedAt) - Date.parse(run.startedAt)) || 0;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${attr(`gateproof ${results.target.name}`)}" tests="${total('tests')}" failures="${total('failures')}" errors="${total('errors')}" skipped="${total('skipped')}" time="${seconds(elapsed)}">`,
    ...suites.map((s) => testsuite(s.name, run.startedAt, s.counts, s.body)),
    '</testsuites>',
    '',
  ].join('\n');
}
