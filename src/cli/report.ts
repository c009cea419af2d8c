import { Command } from 'commander';
import { rebuildReports } from '../results/write-run.js';

export function reportCommand(): Command {
  return new Command('report')
    .description('rebuild the reports of a run from its results.json (or its events.ndjson)')
    .argument('<dir>', 'the run directory')
    .action((dir: string) => {
      rebuildReports(dir);
      process.stdout.write(`gateproof: reports rebuilt in ${dir}\n`);
    });
}
