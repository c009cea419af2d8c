import cliProgress from 'cli-progress';
import type { Progress } from './measurements.js';

export interface ProgressView {
  /** Pass as runLoad's onProgress. */
  update(progress: Progress): void;
  /** Ends the bar (terminal) or prints the last line (CI). */
  stop(): void;
}

function statuses(byStatus: Record<string, number>): string {
  const parts = Object.entries(byStatus).map(([code, n]) => `${code}:${n}`);
  return parts.length > 0 ? parts.join(' ') : '-';
}

function line(title: string, p: Progress): string {
  return (
    `${title} ${p.elapsedS}/${Math.round(p.plannedS)}s sent ${p.sent} ${statuses(p.byStatus)} ` +
    `dropped ${p.dropped} errors ${p.errors} p99 ${(p.p99 / 1000).toFixed(1)}ms`
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
        format: `${title} [{bar}] {value}/{total}s | sent {sent} | {statuses} | dropped {dropped} | errors {errors} | p99 {p99}ms`,
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
          p99: (p.p99 / 1000).toFixed(1),
        };
        if (!started) {
          bar.start(Math.max(1, Math.round(p.plannedS)), 0, payload);
          started = true;
        }
        bar.update(Math.min(p.elapsedS, bar.getTotal()), payload);
      },
      stop() {
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
    stop() {
      if (last && last.elapsedS !== printedAt) stream.write(`${line(title, last)}\n`);
    },
  };
}
