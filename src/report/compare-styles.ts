/** What the comparison page adds to the report's stylesheet (STYLES): target columns and matrix cells. */
export const COMPARE_STYLES = `
h1 small { font-weight: normal; color: var(--muted); font-size: 16px; }
th.target { max-width: 280px; overflow-wrap: anywhere; }
th.target b { display: block; }
th.target small, td small.meta { display: block; font-weight: normal; color: var(--muted); }
table.targets td, table.matrix td { overflow-wrap: anywhere; }
table.matrix td:first-child { max-width: 380px; }
table.matrix td.cell { white-space: nowrap; }
table.matrix td.cell details[open] { white-space: normal; min-width: 320px; max-width: 640px; }
table.matrix td.absent { color: var(--muted); font-style: italic; }
table.matrix tr.differs td:first-child { box-shadow: inset 3px 0 0 var(--warn); }
body:has(#only-differences:checked) table.cases tr.same { display: none; }
pre.message { border-style: dashed; }
ul.reasons li { font-weight: 600; }
.warning-box { border-left: 4px solid var(--warn); background: var(--panel); padding: 6px 12px; margin: 8px 0; }
`;
