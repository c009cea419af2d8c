import { scenarioVerdict } from '../results/collect.js';
import type { Results, Verdict } from '../results/model.js';

/** The documented exit codes: 2 (bad usage, unreachable target) is set where the error is caught. */
export const EXIT_CODES: Record<Verdict, number> = { pass: 0, fail: 1, incomplete: 3 };

export const EXIT_CODES_HELP = `
Exit codes:
  0  pass: every claimed promise was seen kept
  1  fail: a case, threshold or finding check saw a broken promise (even if the run is also incomplete)
  2  bad usage, or a target that cannot be reached
  3  incomplete: nothing seen broken, but a claimed core case could not be set up or its harness
     broke, a scenario could not be judged, or the run was interrupted`;

/** The run's verdict and why (first), its tallies and where the report is; sets the exit code. */
export function reportOutcome(results: Results, outDir: string): void {
  const { counts, verdict, reasons } = results.summary;
  const cases = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status}`);
  const scenarios = results.scenarios.length;
  const passed = results.scenarios.filter((s) => scenarioVerdict(s) === 'pass').length;
  const tally = [...cases, ...(scenarios > 0 ? [`${passed}/${scenarios} scenarios pass`] : [])].join(', ');
  const why = reasons.map((r) => `  - ${r}\n`).join('');
  process.stdout.write(
    `gateproof: ${verdict.toUpperCase()} (${tally || 'no cases'}) → ${outDir}/index.html\n${why}`,
  );
  process.exitCode = EXIT_CODES[verdict];
}
