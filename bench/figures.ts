import { availableParallelism, loadavg } from 'node:os';

/** A figure over its rounds: the median, and the spread around it. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  runs: number[];
}

export function spreadOf(runs: readonly number[]): Spread {
  const sorted = [...runs].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  const median =
    sorted.length % 2 === 1
      ? (sorted[Math.floor(mid)] as number)
      : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { median, min: sorted[0] ?? 0, max: sorted.at(-1) ?? 0, runs: [...runs] };
}

/** The bench's own processes (the tool measured and nginx) keep about this many cores busy. */
const OWN_LOAD = 2;
/** Past this spread (max − min over the median) a figure says more about the machine than the tool. */
const NOISY_SPREAD = 0.2;

/**
 * The machine's load average (1 min) before the bench and at the end of every measurement. The
 * machine may be shared: load beyond the bench's own, or a wide spread between rounds, labels a
 * figure noisy instead of letting it pass for the tool's.
 */
export class LoadWatch {
  readonly before = loadavg()[0] as number;
  private readonly samples: number[] = [];

  sample(): number {
    const load = loadavg()[0] as number;
    this.samples.push(load);
    return load;
  }

  get peak(): number {
    return Math.max(this.before, ...this.samples);
  }

  /** Why a figure is noisy, or undefined when it is not. */
  noise(figure: Spread, during: readonly number[]): string | undefined {
    const others = Math.max(this.before, ...during) - OWN_LOAD;
    const reasons: string[] = [];
    if (others > availableParallelism() / 2)
      reasons.push(`load ${Math.max(this.before, ...during).toFixed(1)}`);
    const width = figure.median > 0 ? (figure.max - figure.min) / figure.median : 0;
    if (width > NOISY_SPREAD) reasons.push(`spread ${width > 10 ? 'over 1000' : (width * 100).toFixed(0)} %`);
    return reasons.length > 0 ? `noisy (${reasons.join(', ')})` : undefined;
  }
}

export interface Row {
  figure: string;
  spread: Spread;
  digits: number;
  /** The goal, and whether the median meets it. */
  goal?: { text: string; met: boolean };
  noise?: string;
}

const fmt = (n: number, digits: number) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** The summary as a plain table, one row per figure: median, spread, goal, noise. */
export function summaryTable(rows: readonly Row[], rounds: number, watch: LoadWatch): string {
  const head = ['figure', `median of ${rounds}`, 'min – max', 'goal', 'met', 'noise'];
  const body = rows.map((r) => [
    r.figure,
    fmt(r.spread.median, r.digits),
    `${fmt(r.spread.min, r.digits)} – ${fmt(r.spread.max, r.digits)}`,
    r.goal?.text ?? '',
    r.goal ? (r.goal.met ? 'yes' : 'NO') : '',
    r.noise ?? '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] as string).length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
  return [
    `load average before ${watch.before.toFixed(2)}, highest during ${watch.peak.toFixed(2)}, ${availableParallelism()} cores`,
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...body.map(line),
  ].join('\n');
}
