import { code, md, table } from '../results/markdown.js';
import type { Comparison } from './compare-model.js';
import { comparisonHeadline, formatChange, formatChangeValue } from './compare-verdict.js';

/** The comparison for a CI step summary (`compare.md`): the regression verdict first, then why, then the warnings. */
export function toCompareMarkdown(c: Comparison): string {
  const b = c.baseline;
  const icon = b ? (b.regression ? '❌' : '✅') : '';
  const lines = [`## ${icon ? `${icon} ` : ''}gateproof: ${md(comparisonHeadline(c))}`, ''];
  if (c.warnings.length > 0) {
    lines.push('> ⚠️ These runs are not like for like:', ...c.warnings.map((w) => `> - ${md(w)}`), '');
  }
  if (b) {
    if (b.reasons.length > 0) lines.push(...b.reasons.map((r) => `- ${md(r)}`), '');
    for (const [title, list] of [
      ['Newly failing cases', b.newlyFailing],
      ['Newly failing scenarios', b.newlyFailingScenarios],
      ['Newly passing cases', b.newlyPassing],
    ] as const) {
      if (list.length === 0) continue;
      lines.push(
        `### ${title}`,
        '',
        ...table(
          ['run', 'case', 'before → now'],
          list.map((x) => [md(x.run), `${code(x.id)} ${md(x.title)}`, `${md(x.from)} → ${md(x.to)}`]),
        ),
        '',
      );
    }
    if (b.figures.length > 0) {
      lines.push(
        '### Figures against the baseline',
        '',
        ...table(
          ['run', 'scenario', 'figure', 'baseline', 'now', 'change', 'limit', ''],
          b.figures.map((f) => [
            md(f.run),
            md(f.scenario),
            md(f.figure),
            md(formatChangeValue(f.unit, f.baseline)),
            md(formatChangeValue(f.unit, f.value)),
            md(formatChange(f)),
            md(f.limit),
            f.regression ? '❌ regression' : '✅',
          ]),
        ),
        '',
      );
    }
  }
  lines.push(
    '### Runs',
    '',
    ...table(
      ['column', 'target', 'verdict', 'run', 'from'],
      c.columns.map((col) => [
        md(col.label),
        `${md(col.target.name)} (${md(col.target.vendor)} ${md(col.target.version)})`,
        md(col.verdict),
        md(col.run.id),
        code(col.source),
      ]),
    ),
  );
  return `${lines.join('\n')}\n`;
}
