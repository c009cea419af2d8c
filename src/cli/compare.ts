import { Command } from 'commander';
import { DEFAULT_LIMITS, parseLimit, type RegressionLimits } from '../report/compare-baseline.js';
import { writeComparison } from '../report/compare-files.js';
import { comparisonHeadline } from '../report/compare-verdict.js';
import { UsageError } from '../usage-error.js';
import { outDir } from './options.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function compareCommand(): Command {
  return new Command('compare')
    .description(
      'compare runs side by side (compare.html, compare.json, compare.md); with --baseline, exit 1 on a regression',
    )
    .argument('[dirs...]', 'run directories, each holding a results.json')
    .requiredOption('--out <dir>', 'where to write compare.html, compare.json and compare.md', outDir)
    .option(
      '--baseline <dir>',
      'the run the others are judged against: newly failing cases and figures past their limits',
    )
    .option('--label <name>', 'a column name, once per run in order (baseline first)', collect)
    .option(
      '--limit <name=value>',
      `a regression limit (repeatable): ${Object.entries(DEFAULT_LIMITS)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}`,
      collect,
    )
    .action(
      (given: string[], opts: { out: string; baseline?: string; label?: string[]; limit?: string[] }) => {
        const dirs = opts.baseline ? [opts.baseline, ...given] : given;
        if (dirs.length === 0) throw new UsageError('compare: name the run directories to compare');
        if (opts.baseline && given.length === 0)
          throw new UsageError('compare --baseline DIR: name at least one run to judge against it');
        let limits: RegressionLimits = DEFAULT_LIMITS;
        for (const text of opts.limit ?? []) {
          try {
            limits = parseLimit(text, limits);
          } catch (err) {
            throw new UsageError((err as Error).message);
          }
        }
        const { comparison, files } = writeComparison(dirs, opts.out, {
          ...(opts.label && { labels: opts.label }),
          baseline: opts.baseline !== undefined,
          limits,
        });
        const out = [`gateproof: ${comparisonHeadline(comparison)} → ${files[1]}`];
        for (const reason of comparison.baseline?.reasons ?? []) out.push(`  ✗ ${reason}`);
        for (const warning of comparison.warnings) out.push(`  ⚠ ${warning}`);
        process.stdout.write(`${out.join('\n')}\n`);
        if (comparison.baseline?.regression) process.exitCode = 1;
      },
    );
}
