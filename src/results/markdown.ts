import { scenarioVerdict } from './collect.js';
import { showControls } from './escape.js';
import { findingRows } from './findings.js';
import { formatMs, formatUs } from './format.js';
import { type CaseResult, type Results, type ScenarioResult, STATUSES, type Status } from './model.js';
import { scenarioSentence, thresholdLabel } from './scenario-sentence.js';
import { casesBySuite } from './suites.js';

const MESSAGE_LIMIT = 300;

/**
 * Target data as inert Markdown text on one line: control characters are shown, HTML is
 * entity-escaped (GitHub renders raw HTML in step summaries), and the punctuation that makes
 * links, emphasis, code or table cells is backslash-escaped.
 */
export function md(value: string | number): string {
  return showControls(String(value))
    .replace(/\s*[\r\n]+\s*/g, ' ')
    .replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!)
    .replace(/[\\`*_[\]|~]/g, '\\$&');
}

/** A code span that holds any text: its fence is longer than the longest run of backticks inside. */
export function code(value: string): string {
  const longest = Math.max(0, ...(value.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = /^`|`$/.test(value) ? ' ' : '';
  return `${fence}${pad}${value.replace(/[\r\n]+/g, ' ')}${pad}${fence}`;
}

function clip(text: string): string {
  return text.length <= MESSAGE_LIMIT ? text : `${text.slice(0, MESSAGE_LIMIT)}…`;
}

export function table(head: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
}

function count(cases: readonly CaseResult[], status: Status): string {
  return String(cases.filter((c) => c.status === status).length);
}

const VERDICT_LINE = {
  pass: '✅ gateproof: PASS',
  fail: '❌ gateproof: FAIL',
  incomplete: '⚠️ gateproof: INCOMPLETE',
} as const;

/** The verdict, then why, before anything else: a reader of a CI summary stops at the first lines. */
function header(results: Results): string[] {
  const { target, run, summary } = results;
  const lines = [`## ${VERDICT_LINE[summary.verdict]}`, ''];
  if (summary.reasons.length > 0) lines.push(...summary.reasons.map((r) => `- ${md(r)}`), '');
  lines.push(
    `**${md(target.name)}** (${md(target.vendor)} ${md(target.version)}, ${md(target.kind)}, mode ${md(target.mode)}) at ${md(target.baseUrl)}, profile \`${target.profile}\`, run ${md(run.id)}${run.fault ? `, fault ${md(run.fault)}` : ''}`,
  );
  if (run.interrupted) lines.push('', '> ⚠️ The run was interrupted: these results are partial.');
  const notRun = summary.notRun;
  if (notRun) {
    lines.push('', '### Did not run', '');
    if (notRun.suites.length > 0) lines.push(`- suites: ${notRun.suites.map(code).join(', ')}`);
    if (notRun.scenarios.length > 0) lines.push(`- scenarios: ${notRun.scenarios.map(code).join(', ')}`);
    if (notRun.cases.length > 0)
      lines.push(`- ${notRun.cases.length} cases: ${notRun.cases.map(code).join(', ')}`);
  }
  return lines;
}

function caseSections(results: Results): string[] {
  const { cases, summary } = results;
  if (cases.length === 0) return [];
  const lines = ['', table(STATUSES, [STATUSES.map((s) => String(summary.counts[s]))]).join('\n')];
  const suiteRows = [...casesBySuite(cases)].map(([suite, list]) => [
    md(suite),
    String(list.length),
    ...STATUSES.map((s) => count(list, s)),
  ]);
  lines.push('', '### Suites', '', ...table(['suite', 'cases', ...STATUSES], suiteRows));
  const notPassed = cases.filter((c) => c.status !== 'pass');
  if (notPassed.length > 0) {
    // Failures first: they decide the verdict. The rest never count against the target but are always shown.
    const ordered = [...notPassed].sort((a, b) => Number(b.status === 'fail') - Number(a.status === 'fail'));
    const rows = ordered.map((c) => [
      c.status === 'fail' ? '**fail**' : md(c.status),
      `${code(c.id)} ${md(c.title)}`,
      md(clip(c.message ?? '')),
    ]);
    lines.push('', '### Cases that did not pass', '', ...table(['status', 'case', 'message'], rows));
  }
  return lines;
}

const VERDICT_MARK = { pass: '✅', fail: '❌', incomplete: '⚠️', interrupted: '⚠️' } as const;
/** A threshold's or check's mark; null: not judged. */
const okMark = (ok: boolean | null) => (ok === null ? '⚪' : ok ? '✅' : '❌');

function scenarioSection(s: ScenarioResult): string[] {
  const verdict = scenarioVerdict(s);
  const byStatus = Object.entries(s.totals.byStatus)
    .map(([status, n]) => `${md(status)}: ${n}`)
    .join(', ');
  const lines = [
    '',
    `#### ${VERDICT_MARK[verdict]} ${md(s.id)}${verdict === 'pass' || verdict === 'fail' ? '' : ` (${verdict})`}${s.title ? `: ${md(s.title)}` : ''}`,
    '',
    `**${md(scenarioSentence(s))}**`,
    '',
    `${md(s.executor)} (${md(s.source)}), ${md(s.durationS)} s: ${s.totals.requests} requests (${byStatus || 'no responses'}), ${s.totals.errors} errors, ${s.totals.dropped} dropped`,
  ];
  const percentiles = Object.entries(s.latency.percentiles ?? {});
  if (percentiles.length > 0) {
    const corrected = s.latency.corrected ? 'corrected for coordinated omission' : 'uncorrected';
    lines.push(
      '',
      `latency (${corrected}): ${percentiles.map(([p, us]) => `${md(p)} ${formatUs(us)}`).join(', ')}`,
    );
  }
  const checks = s.checks ?? [];
  if (checks.length > 0) {
    lines.push('');
    for (const c of checks) {
      const value =
        c.value === undefined
          ? ''
          : ` (value ${md(c.value)}${c.bound === undefined ? '' : `, against ${md(c.bound)}`})`;
      lines.push(
        `- ${okMark(c.ok)} check ${code(`${c.metric}: ${c.expr}`)}${value}${c.note ? `: ${md(c.note)}` : ''}`,
      );
    }
  }
  if (s.thresholds.length > 0) {
    lines.push('');
    for (const t of s.thresholds) {
      lines.push(
        `- ${okMark(t.ok)} ${code(thresholdLabel(t))}${t.value === undefined ? '' : ` (value ${md(Number(t.value.toPrecision(4)))})`}${t.ok === null ? ' not judged' : ''}`,
      );
    }
  }
  const findings = findingRows(s.findings);
  if (findings.length > 0)
    lines.push(
      '',
      ...table(
        ['finding', 'value'],
        findings.map(([k, v]) => [md(k), md(v)]),
      ),
    );
  return lines;
}

/** A Markdown summary for a CI step: verdict, counts, per-suite table, what did not pass, scenarios, how to reproduce. */
export function toMarkdown(results: Results): string {
  const lines = [...header(results), ...caseSections(results)];
  if (results.scenarios.length > 0)
    lines.push('', '### Scenarios', ...results.scenarios.flatMap(scenarioSection));
  const { run } = results;
  const elapsed = Date.parse(run.finishedAt) - Date.parse(run.startedAt);
  lines.push('', '### Reproduce', '');
  if (run.command) {
    const longest = Math.max(2, ...(run.command.match(/`+/g) ?? []).map((r) => r.length));
    const fence = '`'.repeat(longest + 1);
    lines.push(`${fence}sh`, run.command, fence);
  } else {
    lines.push('The run did not record its command line.');
  }
  const took = Number.isFinite(elapsed) ? `, took ${formatMs(Math.max(0, elapsed))}` : '';
  lines.push(
    '',
    `${md(run.tool.name)} ${md(run.tool.version)} on Node ${md(run.node)}, started ${md(run.startedAt)}${took}`,
  );
  return `${lines.join('\n')}\n`;
}
