import { scenarioVerdict } from '../results/collect.js';
import type { Results, Verdict } from '../results/model.js';
import type { RunTimings } from '../run/run-gateproof.js';
import { closingSummary, jsonSummary } from './closing-summary.js';

/** The documented exit codes: 2 (bad usage, unreachable target) is set where the error is caught. */
export const EXIT_CODES: Record<Verdict, number> = { pass: 0, fail: 1, incomplete: 3 };

export const EXIT_CODES_HELP = `
Exit codes:
  0  pass: every claimed promise was seen kept
  1  fail: a case, threshold or finding check saw a broken promise (even if the run is also incomplete)
  2  bad usage, or a target that cannot be reached
  3  incomplete: nothing seen broken, but a claimed core case could not be set up or its harness
     broke, a scenario could not be judged, or the run was interrupted`;

/** `json`: the summary for scripts on stdout, the rest on stderr. */
export interface OutcomeOptions {
  json?: boolean;
  /** Where the run's time went, for the closing summary. */
  timings?: RunTimings;
}

/**
 * The closing summary, then the run's verdict and why (first), its tallies and where the report
 * is; sets the exit code.
 */
export function reportOutcome(results: Results, outDir: string, options: OutcomeOptions = {}): void {
  const { counts, verdict, reasons } = results.summary;
  const cases = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status}`);
  const scenarios = results.scenarios.length;
  const passed = results.scenarios.filter((s) => scenarioVerdict(s) === 'pass').length;
  const tally = [...cases, ...(scenarios > 0 ? [`${passed}/${scenarios} scenarios pass`] : [])].join(', ');
  const why = reasons.map((r) => `  - ${r}\n`).join('');
  const human = options.json ? process.stderr : process.stdout;
  human.write(closingSummary(results, options.timings));
  human.write(`gateproof: ${verdict.toUpperCase()} (${tally || 'no cases'}) → ${outDir}/index.html\n${why}`);
  if (options.json) process.stdout.write(`${JSON.stringify(jsonSummary(results, outDir), null, 2)}\n`);
  process.exitCode = EXIT_CODES[verdict];
}
