import { scenarioVerdict } from '../results/collect.js';
import { findingRows } from '../results/findings.js';
import { formatUs } from '../results/format.js';
import type { ScenarioResult } from '../results/model.js';
import { scenarioSentence } from '../results/scenario-sentence.js';
import type { ChartSpec } from './chart-spec.js';
import { html, jsonText, type SafeHtml } from './escape.js';
import { scenarioChartSpecs } from './scenario-charts.js';

function facts(s: ScenarioResult): SafeHtml {
  const byStatus = Object.entries(s.totals.byStatus)
    .map(([status, n]) => `${status}: ${n}`)
    .join(', ');
  return html`<dl class="facts">
<dt>executor</dt><dd>${s.executor} (${s.source})</dd>
<dt>started</dt><dd>${s.startedAt}</dd>
<dt>duration</dt><dd>${s.durationS} s</dd>
<dt>requests</dt><dd>${s.totals.requests}</dd>
<dt>by status</dt><dd>${byStatus || 'no responses'}</dd>
<dt>errors</dt><dd>${s.totals.errors}</dd>
<dt>dropped</dt><dd>${s.totals.dropped}</dd>
</dl>`;
}

function percentiles(s: ScenarioResult): SafeHtml | string {
  const entries = Object.entries(s.latency.percentiles ?? {});
  if (entries.length === 0) return '';
  const how = s.latency.corrected ? 'corrected for coordinated omission' : 'uncorrected';
  return html`<h4>Latency (${how})</h4>
<table class="compact"><thead><tr>${entries.map(([p]) => html`<th class="num">${p}</th>`)}</tr></thead>
<tbody><tr>${entries.map(([, us]) => html`<td class="num">${formatUs(us)}</td>`)}</tr></tbody></table>`;
}

/** A threshold's or check's outcome; null: not judged. */
function judged(ok: boolean | null): SafeHtml {
  const [cls, word] = ok === null ? ['unjudged', 'not judged'] : ok ? ['pass', 'ok'] : ['fail', 'failed'];
  return html`<span class="status status-${cls}">${word}</span>`;
}

function checks(s: ScenarioResult): SafeHtml | string {
  const list = s.checks ?? [];
  if (list.length === 0) return '';
  return html`<h4>Checks</h4>
<table><thead><tr><th>result</th><th>finding</th><th>check</th><th class="num">value</th><th class="num">against</th><th>note</th></tr></thead>
<tbody>${list.map(
    (c) => html`<tr><td>${judged(c.ok)}</td><td><code>${c.metric}</code></td><td><code>${c.expr}</code></td>
<td class="num">${c.value ?? ''}</td><td class="num">${c.bound ?? ''}</td><td>${c.note ?? ''}</td></tr>`,
  )}</tbody></table>`;
}

function thresholds(s: ScenarioResult): SafeHtml | string {
  if (s.thresholds.length === 0) return '';
  return html`<h4>Thresholds</h4>
<table><thead><tr><th>result</th><th>threshold</th><th>metric</th><th class="num">value</th></tr></thead>
<tbody>${s.thresholds.map(
    (t) => html`<tr><td>${judged(t.ok)}</td>
<td><code>${t.expr}</code></td><td><code>${t.metric ?? ''}</code></td><td class="num">${t.value ?? ''}</td></tr>`,
  )}</tbody></table>`;
}

function findings(s: ScenarioResult): SafeHtml | string {
  const rows = findingRows(s.findings);
  if (rows.length === 0) return '';
  return html`<h4>Findings</h4>
<table><thead><tr><th>finding</th><th>value</th></tr></thead>
<tbody>${rows.map(([name, value]) => html`<tr><td><code>${name}</code></td><td>${value}</td></tr>`)}</tbody></table>`;
}

/** A chart's place on the page and its data; the page script draws it with uPlot. */
function chart(spec: ChartSpec): SafeHtml {
  return html`<figure class="chart" id="${spec.id}-figure">
<figcaption>${spec.title}</figcaption>
<div class="plot" id="${spec.id}"><noscript>Charts are drawn by the page's own inline script.</noscript></div>
<script type="application/json" class="gp-chart-data" data-for="${spec.id}">${jsonText(spec)}</script>
</figure>`;
}

/** One load scenario: the finding in words, its charts, totals, latency percentiles, thresholds, findings. */
export function scenarioArticle(s: ScenarioResult, index: number): SafeHtml {
  const verdict = scenarioVerdict(s);
  const charts = scenarioChartSpecs(s, index);
  return html`<article class="scenario" id="scenario-${s.id}">
<h3><span class="badge ${verdict}">${verdict.toUpperCase()}</span> ${s.id}${s.title ? html` <small>${s.title}</small>` : ''}</h3>
<p class="verdict-card ${verdict}">${scenarioSentence(s)}</p>
${charts.length > 0 ? html`<div class="charts">${charts.map(chart)}</div>` : html`<p class="meta">No time series was recorded.</p>`}
${facts(s)}
${percentiles(s)}
${checks(s)}
${thresholds(s)}
${findings(s)}
</article>`;
}
