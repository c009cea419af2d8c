import { evidenceText } from '../results/evidence-text.js';
import { formatMs, formatUs } from '../results/format.js';
import { type CaseResult, STATUSES } from '../results/model.js';
import { FEATURES } from '../target/profile-schema.js';
import {
  buildComparison,
  type CellStatus,
  type CompareColumn,
  type CompareFigure,
  type CompareInput,
  type CompareScenario,
  type CompareSuite,
  type Comparison,
} from './compare-model.js';
import { COMPARE_STYLES } from './compare-styles.js';
import { comparisonHeadline, formatChange, formatChangeValue } from './compare-verdict.js';
import { html, jsonScript, type SafeHtml } from './escape.js';
import { pageHead } from './page-head.js';

/** Bodies in a matrix cell are cut here: the full exchange is in that run's own index.html. */
const BODY_LIMIT = 4_000;

function targetHeads(columns: readonly CompareColumn[]): SafeHtml[] {
  return columns.map(
    ({ target, label }, i) => html`<th class="target" id="target-${i + 1}"><b>${label}</b>
<small>${target.vendor} ${target.version}</small><small>${target.profile} · ${target.kind}</small></th>`,
  );
}

function list(items: readonly string[]): string {
  return items.length > 0 ? items.join(', ') : 'none';
}

function targetsTable(columns: readonly CompareColumn[]): SafeHtml {
  const row = (name: string, cell: (c: CompareColumn) => SafeHtml | string) =>
    html`<tr><th>${name}</th>${columns.map((c) => html`<td>${cell(c)}</td>`)}</tr>`;
  return html`<table class="targets">
<thead><tr><th></th>${targetHeads(columns)}</tr></thead>
<tbody>
${row('verdict', (c) => html`<span class="badge ${c.verdict}">${c.verdict.toUpperCase()}</span>${c.run.interrupted ? html` <span class="warning">interrupted</span>` : ''}`)}
${row('counts', (c) =>
  STATUSES.filter((s) => c.counts[s] > 0)
    .map((s) => `${c.counts[s]} ${s}`)
    .join(', '),
)}
${row('kind', (c) => c.target.kind)}
${row('mode', (c) => c.target.mode)}
${row('base URL', (c) => html`<code>${c.target.baseUrl}</code>`)}
${row('declared features', (c) => list(c.target.features.declared))}
${row('detected features', (c) => list(c.target.features.detected))}
${row('fault injected', (c) => c.run.fault ?? '')}
${row('run', (c) => html`${c.run.id}<small class="meta">${c.run.startedAt}</small>`)}
</tbody>
</table>`;
}

/** Features claimed per target, then how each suite ended per target. */
function featureSummary(comparison: Comparison): SafeHtml {
  const { columns } = comparison;
  const claimed = new Set(
    columns.flatMap((c) => [...c.target.features.declared, ...c.target.features.detected]),
  );
  const features = [
    ...FEATURES.filter((f) => claimed.has(f)),
    ...[...claimed].filter((f) => !FEATURES.includes(f as never)),
  ];
  const featureCell = (c: CompareColumn, f: string) => {
    const declared = c.target.features.declared.includes(f);
    const detected = c.target.features.detected.includes(f);
    if (!declared && !detected) return html`<td class="absent">not claimed</td>`;
    return html`<td><span class="status status-pass">${declared ? 'declared' : ''}${declared && detected ? ' + ' : ''}${detected ? 'detected' : ''}</span></td>`;
  };
  const suiteCell = (c: CompareColumn, suite: string) => {
    const t = c.suites[suite];
    if (!t) return html`<td class="absent">not run</td>`;
    const rest = STATUSES.filter((s) => s !== 'pass' && t.counts[s] > 0).map((s) => `${t.counts[s]} ${s}`);
    const status = t.counts.fail > 0 ? 'fail' : t.counts.pass > 0 ? 'pass' : 'skip';
    return html`<td><span class="status status-${status}">${t.counts.pass} / ${t.total} pass</span>${rest.length ? html`<small class="meta">${rest.join(', ')}</small>` : ''}</td>`;
  };
  return html`<table class="matrix">
<thead><tr><th>feature</th>${targetHeads(columns)}</tr></thead>
<tbody>${features.map((f) => html`<tr><td><code>${f}</code></td>${columns.map((c) => featureCell(c, f))}</tr>`)}</tbody>
</table>
<table class="matrix">
<thead><tr><th>suite</th>${targetHeads(columns)}</tr></thead>
<tbody>${comparison.suites.map((s) => html`<tr><td><a href="#suite-${s.name}">${s.name}</a></td>${columns.map((c) => suiteCell(c, s.name))}</tr>`)}</tbody>
</table>`;
}

function cell(status: CellStatus, found: CaseResult | undefined): SafeHtml {
  if (status === 'absent' || !found) return html`<td class="cell absent">absent</td>`;
  const badge = html`<span class="status status-${status}">${status}</span>`;
  if (!found.message && found.evidence.length === 0) return html`<td class="cell">${badge}</td>`;
  return html`<td class="cell"><details><summary>${badge}</summary>
${found.message ? html`<pre class="message">${found.message}</pre>` : ''}
${found.evidence.map((e) => html`<pre>${evidenceText(e, BODY_LIMIT)}</pre>`)}
</details></td>`;
}

function suiteTable(
  suite: CompareSuite,
  comparison: Comparison,
  cases: ReadonlyArray<Map<string, CaseResult>>,
): SafeHtml {
  return html`<h3 id="suite-${suite.name}">${suite.name} <small>${suite.cases.length} cases</small></h3>
<table class="matrix cases">
<thead><tr><th>case</th><th>level</th>${targetHeads(comparison.columns)}</tr></thead>
<tbody>
${suite.cases.map((row) => {
  const differs = new Set(row.cells.map((c) => c.status)).size > 1;
  return html`<tr class="${differs ? 'differs' : 'same'}" id="case-${row.id}">
<td class="case-title">${row.title}<code>${row.id}</code></td>
<td>${row.level}</td>
${row.cells.map((c, i) => cell(c.status, cases[i]!.get(row.id)))}
</tr>`;
})}
</tbody>
</table>`;
}

function formatFigure(unit: CompareFigure['unit'], value: number | null): string {
  if (value === null) return '—';
  switch (unit) {
    case 'us':
      return formatUs(value);
    case 'ms':
      return formatMs(value);
    case 'ratio':
      return `${Number((value * 100).toPrecision(3))} %`;
    case 'rps':
      return `${Number(value.toPrecision(4))} /s`;
    case 'count':
      return String(Number(value.toPrecision(6)));
  }
}

function scenarioSection(s: CompareScenario, columns: readonly CompareColumn[]): SafeHtml {
  return html`<article class="scenario" id="scenario-${s.id}">
<h3>${s.id}${s.title ? html` <small>${s.title}</small>` : ''}</h3>
<table class="matrix figures">
<thead><tr><th>figure</th>${targetHeads(columns)}</tr></thead>
<tbody>
<tr><td>verdict</td>${s.verdicts.map((v) => (v === 'absent' ? html`<td class="absent">not run</td>` : html`<td><span class="status status-${v}">${v}</span></td>`))}</tr>
${s.figures.map((f) => html`<tr><td>${f.label}</td>${f.values.map((v) => html`<td class="num">${formatFigure(f.unit, v)}</td>`)}</tr>`)}
</tbody>
</table>
${
  s.findings.length > 0
    ? html`<details><summary>every finding (${s.findings.length})</summary>
<table class="matrix">
<thead><tr><th>finding</th>${targetHeads(columns)}</tr></thead>
<tbody>${s.findings.map((f) => html`<tr><td><code>${f.name}</code></td>${f.values.map((v) => html`<td>${v ?? '—'}</td>`)}</tr>`)}</tbody>
</table></details>`
    : ''
}
</article>`;
}

function reproduce(columns: readonly CompareColumn[]): SafeHtml {
  return html`${columns.map(
    (c) => html`<h3>${c.label} <small>${c.target.vendor} ${c.target.version}</small></h3>
${c.run.command ? html`<pre><code>${c.run.command}</code></pre>` : html`<p>The run did not record its command line.</p>`}
<p class="meta">run ${c.run.id} from <code>${c.source}</code>, ${c.run.tool.name} ${c.run.tool.version} on Node ${c.run.node}</p>`,
  )}
<p class="meta">This page is rebuilt from the runs' results.json files by <code>gateproof compare DIR... --out DIR</code>.</p>`;
}

function caseChanges(
  title: string,
  changes: NonNullable<Comparison['baseline']>['newlyFailing'],
): SafeHtml | string {
  if (changes.length === 0) return '';
  return html`<h3>${title} (${changes.length})</h3>
<table><thead><tr><th>run</th><th>case</th><th>before → now</th><th>message</th></tr></thead>
<tbody>${changes.map((c) => html`<tr><td>${c.run}</td><td class="case-title">${c.title}<code>${c.id}</code></td><td>${c.from} → ${c.to}</td><td class="message">${c.message ?? ''}</td></tr>`)}</tbody></table>`;
}

/** The baseline's verdict and what decided it, then the warnings: the first thing on the page. */
function verdictSection(comparison: Comparison): SafeHtml {
  const b = comparison.baseline;
  const warnings =
    comparison.warnings.length > 0
      ? html`<div class="warning-box"><p class="warning">These runs are not like for like; read their figures with care:</p>
<ul>${comparison.warnings.map((w) => html`<li>${w}</li>`)}</ul></div>`
      : '';
  if (!b) return html`<section id="verdict">${warnings}</section>`;
  const state = b.regression ? 'fail' : 'pass';
  return html`<section id="verdict"><h2><span class="badge ${state}" id="regression">${b.regression ? 'REGRESSION' : 'NO REGRESSION'}</span> against the baseline ${b.baseline}</h2>
${b.reasons.length > 0 ? html`<ul class="reasons">${b.reasons.map((r) => html`<li>${r}</li>`)}</ul>` : ''}
${warnings}
${caseChanges('Newly failing cases', b.newlyFailing)}
${caseChanges('Newly failing scenarios', b.newlyFailingScenarios)}
${caseChanges('Newly passing cases', b.newlyPassing)}
${
  b.figures.length > 0
    ? html`<h3>Figures against the baseline</h3>
<table><thead><tr><th>run</th><th>scenario</th><th>figure</th><th class="num">baseline</th><th class="num">now</th><th class="num">change</th><th>limit</th><th></th></tr></thead>
<tbody>${b.figures.map(
        (
          f,
        ) => html`<tr class="${f.regression ? 'row-fail' : ''}"><td>${f.run}</td><td>${f.scenario}</td><td>${f.figure}</td>
<td class="num">${formatChangeValue(f.unit, f.baseline)}</td><td class="num">${formatChangeValue(f.unit, f.value)}</td><td class="num">${formatChange(f)}</td>
<td>${f.limit}</td><td><span class="status status-${f.regression ? 'fail' : 'pass'}">${f.regression ? 'regression' : 'within limit'}</span></td></tr>`,
      )}</tbody></table>`
    : ''
}
</section>`;
}

/**
 * The vendor comparison as one self-contained HTML file: targets side by side, every case with
 * each target's outcome and its evidence a click away, scenario figures side by side. No script
 * runs and nothing is fetched; everything that came from a target is escaped by the `html` tag.
 */
export function renderCompareHtml(runs: readonly CompareInput[], comparison = buildComparison(runs)): string {
  const cases = runs.map(({ results }) => new Map(results.cases.map((c) => [c.id, c])));
  const names = comparison.columns.map((c) => c.label).join(' vs ');
  const page = html`<!doctype html>
<html lang="en">
${pageHead(`gateproof comparison: ${names}`, COMPARE_STYLES)}
<body>
<header>
<h1>Comparison <small>${names}</small></h1>
<p class="meta">${comparisonHeadline(comparison)}; only <b>fail</b> is a broken promise: skip means the target does not claim the feature, setup_fail and harness_fail are never the target's fault, absent means the run did not have the case.</p>
</header>
<main>
${verdictSection(comparison)}
<section id="targets"><h2>Targets</h2>${targetsTable(comparison.columns)}</section>
<section id="features"><h2>Features</h2>${featureSummary(comparison)}</section>
<section id="cases"><h2>Cases by suite</h2>
${
  comparison.suites.length > 0
    ? html`<p><label><input type="checkbox" id="only-differences"> show only the cases where the targets differ</label></p>
${comparison.suites.map((s) => suiteTable(s, comparison, cases))}`
    : html`<p>No cases ran.</p>`
}
</section>
${
  comparison.scenarios.length > 0
    ? html`<section id="scenarios"><h2>Scenarios</h2>${comparison.scenarios.map((s) => scenarioSection(s, comparison.columns))}</section>`
    : ''
}
<section id="reproduce"><h2>Reproduce</h2>${reproduce(comparison.columns)}</section>
</main>
<footer>${comparison.schema}</footer>
${jsonScript('gateproof-compare', {
  schema: comparison.schema,
  targets: comparison.columns.map((c) => ({ name: c.target.name, label: c.label, verdict: c.verdict })),
  regression: comparison.baseline?.regression ?? null,
})}
</body>
</html>
`;
  return page.html;
}
