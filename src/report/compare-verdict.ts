import { formatMs } from '../results/format.js';
import type { FigureChange } from './compare-baseline.js';
import type { Comparison } from './compare-model.js';

/** How a compared figure reads: `12.5 ms`, `199.6 /s`, `52 %`. */
export function formatChangeValue(unit: FigureChange['unit'], value: number): string {
  switch (unit) {
    case 'ms':
      return formatMs(value);
    case 'rps':
      return `${Number(value.toPrecision(4))} /s`;
    case 'ratio':
      return `${Number((value * 100).toPrecision(3))} %`;
    case 'count':
      return String(Number(value.toPrecision(4)));
  }
}

/** The change of a figure in words: `+12.5 ms (+40 %)`, or `+3 points` for shares. */
export function formatChange(f: FigureChange): string {
  const sign = f.change > 0 ? '+' : f.change < 0 ? '−' : '±';
  const magnitude =
    f.unit === 'ratio'
      ? `${Number((Math.abs(f.change) * 100).toPrecision(3))} points`
      : formatChangeValue(f.unit, Math.abs(f.change));
  const relative =
    f.unit === 'ratio' || f.relative === null
      ? ''
      : ` (${sign}${Number((Math.abs(f.relative) * 100).toPrecision(3))} %)`;
  return `${sign}${magnitude}${relative}`;
}

/** The first line of every comparison output: the regression verdict when there is a baseline, and the run count. */
export function comparisonHeadline(c: Comparison): string {
  const runs = `${c.columns.length} ${c.columns.length === 1 ? 'run' : 'runs'}`;
  if (!c.baseline) return `compared ${runs}`;
  const b = c.baseline;
  if (!b.regression) return `no regression against the baseline ${b.baseline} (compared ${runs})`;
  const cases = b.newlyFailing.length;
  const scenarios = b.newlyFailingScenarios.length;
  const figures = b.figures.filter((f) => f.regression).length;
  const what = [
    ...(cases > 0 ? [`${cases} newly failing ${cases === 1 ? 'case' : 'cases'}`] : []),
    ...(scenarios > 0 ? [`${scenarios} newly failing ${scenarios === 1 ? 'scenario' : 'scenarios'}`] : []),
    ...(figures > 0 ? [`${figures} ${figures === 1 ? 'figure' : 'figures'} past its limit`] : []),
  ];
  return `REGRESSION against the baseline ${b.baseline}: ${what.join(', ')} (compared ${runs})`;
}
