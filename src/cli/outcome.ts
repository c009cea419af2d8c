import { scenarioVerdict } from '../results/collect.js';
import type { Results } from '../results/model.js';
import { closingSummary, jsonSummary } from './closing-summary.js';

/** `json`: the summary for scripts on stdout, the rest on stderr. */
export interface OutcomeOptions {
  json?: boolean;
}

/** The closing summary, the run's last line (verdict, tallies, where the report is) and its exit code. */
export function reportOutcome(results: Results, outDir: string, options: OutcomeOptions = {}): void {
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
  const human = options.json ? process.stderr : process.stdout;
  human.write(closingSummary(results));
  human.write(`gateproof: ${verdict.toUpperCase()} (${tally || 'no cases'}) → ${outDir}/index.html\n`);
  if (options.json) process.stdout.write(`${JSON.stringify(jsonSummary(results, outDir), null, 2)}\n`);
  process.exitCode = verdict === 'pass' ? 0 : 1;
}
