import { formatMs } from '../results/format.js';
import { type Results, STATUSES } from '../results/model.js';
import { caseTables } from './cases.js';
import { CHART_SCRIPT } from './chart-script.js';
import { html, jsonScript, type SafeHtml, trusted } from './escape.js';
import { pageHead } from './page-head.js';
import { scenarioArticle } from './scenarios.js';
import { UPLOT } from './uplot-source.js';

/** Nothing may be fetched: no scripts or styles from elsewhere, no fonts, images only as data URLs. */

function targetFacts({ target, run }: Results): SafeHtml {
  const list = (items: readonly string[]) => (items.length > 0 ? items.join(', ') : 'none');
  return html`<dl class="facts">
<dt>name</dt><dd>${target.name}</dd>
<dt>kind</dt><dd>${target.kind}</dd>
<dt>vendor</dt><dd>${target.vendor}</dd>
<dt>version</dt><dd>${target.version}</dd>
<dt>mode</dt><dd>${target.mode}</dd>
<dt>base URL</dt><dd><code>${target.baseUrl}</code></dd>
<dt>profile</dt><dd>${target.profile}</dd>
<dt>declared features</dt><dd>${list(target.features.declared)}</dd>
<dt>detected features</dt><dd>${list(target.features.detected)}</dd>
${run.fault ? html`<dt>fault injected</dt><dd>${run.fault}</dd>` : ''}
</dl>`;
}

function counts({ summary }: Results): SafeHtml {
  return html`<ul class="counts">${STATUSES.map(
    (s) => html`<li class="status-${s}"><b>${summary.counts[s]}</b>${s}</li>`,
  )}</ul>`;
}

/** Why the verdict is what it is, and what did not run: right under the verdict, before anything else. */
function verdictReasons({ summary }: Results): SafeHtml | string {
  const { reasons, notRun } = summary;
  if (reasons.length === 0 && !notRun) return '';
  const list = (name: string, items: readonly string[]) =>
    items.length > 0
      ? html`<dt>${name}</dt><dd>${items.map((id, i) => html`${i > 0 ? ', ' : ''}<code>${id}</code>`)}</dd>`
      : '';
  return html`<ul class="reasons" id="reasons">${reasons.map((r) => html`<li>${r}</li>`)}</ul>
${notRun ? html`<dl class="facts" id="not-run">${list('suites not run', notRun.suites)}${list('scenarios not run', notRun.scenarios)}${list('cases not run', notRun.cases)}</dl>` : ''}`;
}

function reproduce({ run }: Results): SafeHtml {
  return html`${run.command ? html`<pre><code>${run.command}</code></pre>` : html`<p>The run did not record its command line.</p>`}
<p class="meta">This page is rebuilt from the run's results.json by <code>gateproof report DIR</code>.</p>`;
}

/**
 * The run's report as one self-contained HTML file: inline CSS, uPlot and the script that draws
 * the charts inlined, nothing to fetch. Every value that came from the target is escaped by the `html` tag.
 */
export function renderIndexHtml(results: Results): string {
  const { run, target, summary } = results;
  const verdict = summary.verdict;
  const elapsed = Date.parse(run.finishedAt) - Date.parse(run.startedAt);
  const took = Number.isFinite(elapsed) ? `, took ${formatMs(Math.max(0, elapsed))}` : '';
  const page = html`<!doctype html>
<html lang="en">
${pageHead(`gateproof ${verdict}: ${target.name}`, results.scenarios.length > 0 ? UPLOT.styles : '')}
<body>
<header>
<h1><span class="badge ${verdict}" id="verdict">${verdict.toUpperCase()}</span> ${target.name}</h1>
${verdictReasons(results)}
<p class="meta">run ${run.id}, started ${run.startedAt}${took}, ${run.tool.name} ${run.tool.version} on Node ${run.node}</p>
${run.interrupted ? html`<p class="warning">The run was interrupted: these results are partial.</p>` : ''}
</header>
<main>
<section id="target"><h2>Target</h2>${targetFacts(results)}</section>
<section id="counts"><h2>Counts</h2>${counts(results)}
<p class="meta">Only <b>fail</b> (and a failed scenario threshold or check) fails the run; optional_fail, skip, setup_fail and harness_fail are never counted against the target, but a claimed core case that is setup_fail or harness_fail, or anything that did not run, makes the run <b>incomplete</b>, never a pass.</p></section>
<section id="cases"><h2>Cases by suite</h2>${caseTables(results.cases)}</section>
${
  results.scenarios.length > 0
    ? html`<section id="scenarios"><h2>Scenarios</h2>${results.scenarios.map((s, i) => scenarioArticle(s, i))}</section>`
    : ''
}
<section id="reproduce"><h2>Reproduce</h2>${reproduce(results)}</section>
</main>
<footer>${results.schema}</footer>
${results.scenarios.length > 0 ? html`<script>${trusted(UPLOT.script)}</script><script>${trusted(CHART_SCRIPT)}</script>` : ''}
${jsonScript('gateproof-summary', { schema: results.schema, run: run.id, verdict, reasons: summary.reasons, counts: summary.counts, interrupted: run.interrupted === true })}
</body>
</html>
`;
  return page.html;
}
