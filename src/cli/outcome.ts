import { scenarioVerdict } from '../results/collect.js';
import type { Results } from '../results/model.js';

/** The run's last line (verdict, case and scenario tallies, where the report is) and its exit code. */
export function reportOutcome(results: Results, outDir: string): void {
  const { counts, verdict } = results.summary;
  const cases = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status}`);
  const scenarios = results.scenarios.length;
  const failed = results.scenarios.filter((s) => scenarioVerdict(s) === 'fail').length;
  const tally = [
    ...cases,
    ...(scenarios > 0 ? [`${scenarios - failed}/${scenarios} scenarios pass`] : []),
  ].join(', ');
  process.stdout.write(
    `gateproof: ${verdict.toUpperCase()} (${tally || 'no cases'}) → ${outDir}/index.html\n`,
  );
  process.exitCode = verdict === 'pass' ? 0 : 1;
}
