import { Command } from 'commander';
import { writeComparison } from '../report/compare-files.js';
import { outDir } from './options.js';

export function compareCommand(): Command {
  return new Command('compare')
    .description('compare several runs (one column per target): compare.html and compare.json')
    .argument('<dirs...>', 'run directories, each holding a results.json')
    .requiredOption('--out <dir>', 'where to write compare.html and compare.json', outDir)
    .action((dirs: string[], opts: { out: string }) => {
      const [, page] = writeComparison(dirs, opts.out);
      process.stdout.write(`gateproof: compared ${dirs.length} runs → ${page}\n`);
    });
}
