import cliProgress from 'cli-progress';
import type { Progress } from './measurements.js';

export interface ProgressView {
  /** Pass as runLoad's onProgress. */
  update(progress: Progress): void;
  /**
   * Ends the bar (terminal) or prints the last line (CI) on the scenario's real totals: what
   * completed after the last full second included, and the p99 of the whole run, as the report has it.
   */
  stop(final?: FinalTotals): void;
}

/** A finished scenario's totals, from its result. */
export interface FinalTotals {
  durationS: number;
  requests: number;
  byStatus: Record<string, number>;
  dropped: number;
  errors: number;
  /** p99 latency of the whole run, microseconds. */
  p99?: number;
}

function statuses(byStatus: Record<string, number>): string {
  const parts = Object.entries(byStatus).map(([code, n]) => `${code}:${n}`);
  return parts.length > 0 ? parts.join(' ') : '-';
}

const ms = (us: number) => `${(us / 1000).toFixed(1)}ms`;

function line(title: string, p: Progress): string {
  return (
    `${title} ${p.elapsedS}/${Math.round(p.plannedS)}s sent ${p.sent} ${statuses(p.byStatus)} ` +
    `dropped ${p.dropped} errors ${p.errors} p99 ${ms(p.p99)} (last second)`
  );
}

function finalLine(title: string, f: FinalTotals): string {
  return (
    `${title} done in ${f.durationS}s: ${f.requests} requests ${statuses(f.byStatus)} ` +
    `dropped ${f.dropped} errors ${f.errors}${f.p99 === undefined ? '' : ` p99 ${ms(f.p99)}`}`
  );
}

/**
 * Shows a run's progress: a bar redrawn in place on a terminal; on anything else (a CI log), one
 * plain line every few seconds, since a log cannot redraw and would fill with bar frames.
 */
export function progressView(
  title: string,
  options: { stream?: NodeJS.WriteStream; everyS?: number } = {},
): ProgressView {
  const stream = options.stream ?? process.stderr;
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: `${title} [{bar}] {value}/{total}s | sent {sent} | {statuses} | dropped {dropped} | errors {errors} | p99 {p99}`,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(p) {
        const payload = {
          sent: p.sent,
          statuses: statuses(p.byStatus),
          dropped: p.dropped,
          errors: p.errors,
          p99: `${ms(p.p99)} (last second)`,
        };
        if (!started) {
          bar.start(Math.max(1, Math.round(p.plannedS)), 0, payload);
          started = true;
        }
        bar.update(Math.min(p.elapsedS, bar.getTotal()), payload);
      },
      stop(final) {
        if (started && final) {
          // The bar ends full, on the totals the report will show.
          bar.update(bar.getTotal(), {
            sent: final.requests,
            statuses: statuses(final.byStatus),
            dropped: final.dropped,
            errors: final.errors,
            p99: final.p99 === undefined ? '-' : `${ms(final.p99)} (all)`,
          });
        }
        if (started) bar.stop();
      },
    };
  }
  const everyS = options.everyS ?? 5;
  let last: Progress | undefined;
  let printedAt = 0;
  return {
    update(p) {
      last = p;
      if (p.elapsedS - printedAt >= everyS) {
        stream.write(`${line(title, p)}\n`);
        printedAt = p.elapsedS;
      }
    },
    stop(final) {
      if (final) stream.write(`${finalLine(title, final)}\n`);
      else if (last && last.elapsedS !== printedAt) stream.write(`${line(title, last)}\n`);
    },
  };
}

/** `--quiet`: nothing shown while a scenario runs. */
export const silentProgress: ProgressView = { update() {}, stop() {} };
