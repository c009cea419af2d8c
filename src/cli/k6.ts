import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { SCENARIOS } from '../../scenarios/index.js';
import { exportK6 } from '../k6/export.js';
import { type IngestOptions, ingestK6 } from '../k6/ingest.js';
import { writeRunOutputs } from '../results/write-run.js';
import { newRunId, TOOL_VERSION } from '../run/run-gateproof.js';
import { loadProfile } from '../target/load-profile.js';
import { targetSummary } from '../target/target-summary.js';
import { UsageError } from '../usage-error.js';
import { closingSummary } from './closing-summary.js';
import { commandLine, outDir } from './options.js';
import { EXIT_CODES } from './outcome.js';

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

/** The target section and the declared throttle, from the profile the runners loaded. */
function targetOf(file: string): Pick<IngestOptions, 'target' | 'declaredThrottle' | 'profileChecks'> {
  let profile: ReturnType<typeof loadProfile>;
  try {
    profile = loadProfile(file);
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0] as string);
  }
  const declared = profile.plans.throttled?.throttle;
  return {
    target: targetSummary(profile),
    ...(declared && { declaredThrottle: declared }),
    ...(profile.checks && { profileChecks: profile.checks }),
  };
}

function exportCommand(): Command {
  return new Command('export')
    .description('write every scenario as a TypeScript k6 script, with a k6-operator TestRun manifest')
    .option('--out <dir>', 'where to write the scripts', outDir, 'k6')
    .option('--parallelism <n>', 'pods of the k6-operator TestRun', positiveInteger, 4)
    .action((opts: { out: string; parallelism: number }) => {
      let files: string[];
      try {
        files = exportK6(SCENARIOS, { outDir: opts.out, parallelism: opts.parallelism });
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      process.stdout.write(`gateproof: wrote ${files.length} files to ${resolve(opts.out)}\n`);
    });
}

function ingestCommand(): Command {
  return new Command('ingest')
    .description(
      'fold k6 summaries and --out json lines (one file per runner) into results.json and the reports',
    )
    .argument('<files...>', 'handleSummary JSON, --summary-export JSON or --out json files (.gz too)')
    .requiredOption('--out <dir>', 'where to write results.json and the reports', outDir)
    .option('--scenario <id>', 'the scenario of summaries that do not name it')
    .option('--target <file>', "the target profile the runners loaded, for the report's target section")
    .action(async (files: string[], opts: { out: string; scenario?: string; target?: string }) => {
      const results = await ingestK6(files, {
        scenarios: SCENARIOS,
        ...(opts.scenario && { scenario: opts.scenario }),
        ...(opts.target && targetOf(opts.target)),
        run: { id: newRunId(), tool: { name: 'gateproof', version: TOOL_VERSION }, command: commandLine() },
      });
      writeRunOutputs(opts.out, results);
      const verdict = results.summary.verdict;
      const count = results.scenarios.length;
      process.stdout.write(
        `${closingSummary(results)}gateproof: ${count} ${count === 1 ? 'scenario' : 'scenarios'}, ${verdict}; written to ${resolve(opts.out)}\n`,
      );
      process.exitCode = EXIT_CODES[verdict];
    });
}

export function k6Command(): Command {
  return (
    new Command('k6')
      .description('run scenarios on k6: export scripts, ingest what the runners wrote')
      // main.ts hands its settings (one-line errors, exit code 2) to the commands it adds, not to theirs.
      .hook('preSubcommand', (k6, sub) => {
        sub.copyInheritedSettings(k6);
      })
      .addCommand(exportCommand())
      .addCommand(ingestCommand())
  );
}
