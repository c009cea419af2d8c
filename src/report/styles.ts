/** The report's stylesheet: system fonts only, so the page loads nothing from anywhere. */
export const STYLES = `
:root { color-scheme: light dark; --fg: #1d1f23; --muted: #5f6672; --bg: #ffffff; --panel: #f4f5f7; --line: #d9dce1;
  --pass: #1f7a3a; --fail: #c62828; --warn: #a15c00; --neutral: #5f6672; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6e8eb; --muted: #a2a9b4; --bg: #16181c; --panel: #20242a; --line: #343a43;
    --pass: #4cc06f; --fail: #ff6b6b; --warn: #f0a742; --neutral: #a2a9b4; }
}
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
header, main, footer { max-width: 1200px; margin: 0 auto; padding: 16px 24px; }
header { border-bottom: 1px solid var(--line); }
h1 { font-size: 22px; margin: 0 0 4px; display: flex; gap: 12px; align-items: center; flex-wrap: wrap; }
h2 { font-size: 18px; margin: 28px 0 10px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 20px 0 8px; }
h3 small { font-weight: normal; color: var(--muted); }
code, pre { font: 12.5px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre { background: var(--panel); border: 1px solid var(--line); border-radius: 4px; padding: 8px 10px; overflow-x: auto;
  white-space: pre-wrap; overflow-wrap: anywhere; max-height: 480px; margin: 6px 0; }
.meta { color: var(--muted); margin: 0; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 4px; color: #fff; font-size: 14px; letter-spacing: .05em; }
.badge.pass { background: var(--pass); }
.badge.fail { background: var(--fail); }
.badge.incomplete, .badge.interrupted { background: var(--warn); }
.warning { color: var(--warn); font-weight: 600; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
ul.counts { list-style: none; display: flex; flex-wrap: wrap; gap: 10px; padding: 0; margin: 0; }
ul.counts li { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 6px 14px; min-width: 96px; }
ul.counts b { display: block; font-size: 20px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; }
table.compact { width: auto; min-width: 240px; }
th, td { text-align: left; vertical-align: top; padding: 5px 8px; border-bottom: 1px solid var(--line); }
th { color: var(--muted); font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.case-title code { display: block; color: var(--muted); }
td.message { max-width: 640px; overflow-wrap: anywhere; }
.status { font-weight: 600; white-space: nowrap; }
.status-pass { color: var(--pass); }
.status-fail { color: var(--fail); }
.status-optional_fail, .status-setup_fail, .status-harness_fail { color: var(--warn); }
.status-skip, .status-unjudged { color: var(--neutral); }
tr.row-fail { background: color-mix(in srgb, var(--fail) 7%, transparent); }
body:has(#only-problems:checked) tr.row-pass { display: none; }
details summary { cursor: pointer; color: var(--muted); }
details[open] summary { margin-bottom: 4px; }
.refs { color: var(--muted); margin: 4px 0; }
article.scenario { border: 1px solid var(--line); border-radius: 6px; padding: 4px 16px 12px; margin: 12px 0; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
figure.chart { margin: 8px 0; flex: 1 1 520px; max-width: 740px; min-width: 0; }
figure.chart figcaption { font-weight: 600; margin-bottom: 4px; }
figure.chart .plot { background: var(--panel); border-radius: 4px; padding: 6px 4px 2px; overflow: visible; }
figure.chart .uplot { font-family: inherit; color: var(--fg); }
figure.chart .u-legend { font-size: 12px; }
p.verdict-card { font-size: 15px; padding: 8px 12px; border-radius: 4px; border-left: 4px solid var(--pass); background: var(--panel); }
p.verdict-card.fail { border-left-color: var(--fail); }
footer { color: var(--muted); border-top: 1px solid var(--line); margin-top: 24px; }
`;
