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

function scenarioCase(s: ScenarioResult): string {
  const thresholds = s.thresholds.map(
    (t) =>
      `${t.ok ? 'ok' : 'FAILED'}: ${thresholdLabel(t)}${t.value === undefined ? '' : ` (value ${t.value})`}`,
  );
  const failed = s.thresholds.filter((t) => !t.ok).map(thresholdLabel);
  const message = failed.length > 0 ? `thresholds failed: ${failed.join(', ')}` : 'scenario verdict: fail';
  const outcome =
    scenarioVerdict(s) === 'fail'
      ? `<failure message="${attr(message)}" type="threshold">${text([scenarioSentence(s), ...thresholds].join('\n'))}</failure>`
      : `<system-out>${text([scenarioSentence(s), ...thresholds].join('\n'))}</system-out>`;
  return testcase('gateproof.scenarios', `${s.id}: ${s.title ?? s.executor}`, s.durationS * 1000, outcome);
}

/** JUnit XML: one testsuite per suite, one testcase per case, and the scenarios that set thresholds or a verdict. */
export function toJUnit(results: Results): string {
  const suites = [...casesBySuite(results.cases)].map(([suite, cases]) => ({
    name: suite,
    counts: caseCounts(cases),
    body: cases.map((c) =>
      testcase(`gateproof.${suite}`, `${c.id}: ${c.title}`, c.durationMs, caseOutcome(c)),
    ),
  }));
  const judged = results.scenarios.filter((s) => s.thresholds.length > 0 || s.verdict !== undefined);
  if (judged.length > 0) {
    const counts: Counts = {
      tests: judged.length,
      failures: judged.filter((s) => scenarioVerdict(s) === 'fail').length,
      errors: 0,
      skipped: 0,
      ms: judged.reduce((sum, s) => sum + s.durationS * 1000, 0),
    };
    suites.push({ name: 'scenarios', counts, body: judged.map(scenarioCase) });
  }
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
