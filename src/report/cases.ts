import { evidenceText } from '../results/evidence-text.js';
import { formatMs } from '../results/format.js';
import { type CaseResult, STATUSES } from '../results/model.js';
import { casesBySuite } from '../results/suites.js';
import { html, type SafeHtml } from './escape.js';
import { refLinks } from './ref-links.js';

function evidence(c: CaseResult): SafeHtml | string {
  if (c.evidence.length === 0 && c.refs.length === 0 && !c.feature) return '';
  const count = c.evidence.length === 1 ? '1 exchange' : `${c.evidence.length} exchanges`;
  return html`<details><summary>${c.evidence.length > 0 ? `evidence (${count})` : 'refs'}</summary>
${c.feature ? html`<p class="refs">feature: ${c.feature}</p>` : ''}
${c.refs.length > 0 ? html`<p class="refs">refs: ${refLinks(c.refs)}</p>` : ''}
${c.evidence.map((e) => html`<pre>${evidenceText(e)}</pre>`)}
</details>`;
}

function row(c: CaseResult): SafeHtml {
  return html`<tr class="row-${c.status}" id="case-${c.id}">
<td class="case-title">${c.title}<code>${c.id}</code></td>
<td>${c.level}</td>
<td><span class="status status-${c.status}">${c.status}</span></td>
<td class="num">${formatMs(c.durationMs)}</td>
<td class="message">${c.message ?? ''}${evidence(c)}</td>
</tr>`;
}

function tally(cases: readonly CaseResult[]): string {
  return STATUSES.map((s) => [s, cases.filter((c) => c.status === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
}

/** The case table, one per suite, each case's evidence folded in a `<details>`. */
export function caseTables(cases: readonly CaseResult[]): SafeHtml {
  if (cases.length === 0) return html`<p>No cases ran.</p>`;
  return html`<p><label><input type="checkbox" id="only-problems"> show only the cases that did not pass</label></p>
${[...casesBySuite(cases)].map(
  ([
    suite,
    list,
  ]) => html`<h3 id="suite-${suite}">${suite} <small>${list.length} cases: ${tally(list)}</small></h3>
<table class="cases">
<thead><tr><th>case</th><th>level</th><th>status</th><th class="num">duration</th><th>message and evidence</th></tr></thead>
<tbody>
${list.map(row)}
</tbody>
</table>`,
)}`;
}
