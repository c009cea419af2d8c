import { Command, Option } from 'commander';
import { runGateproof } from '../run/run-gateproof.js';
import { commandLine, interruptSignal, list, outDir, positiveSeconds } from './options.js';
import { EXIT_CODES_HELP, reportOutcome } from './outcome.js';

/** Seconds of offered load per scenario in `gateproof run`: six scenarios and the suites fit in about a minute. */
const RUN_SCENARIO_SECONDS = 3;

export function runCommand(): Command {
  return new Command('run')
    .description('run the conformance suites (and load scenarios) against a target and write the reports')
    .option(
      '--target <reference|reference-http|nginx|haproxy|serverless-offline|FILE.yaml>',
      'the embedded reference gateway (REST, or HTTP API), a gateway gateproof configures (nginx, HAProxy, serverless-offline), or a target profile',
      'reference',
    )
    .option('--suites <list>', 'comma-separated suites to run (default: all)', list)
    .option('--scenarios <list>', 'comma-separated load scenarios to run (default: all)', list)
    .option('--no-load', 'run no load scenarios')
    .addOption(
      new Option('--profile <profile>', 'strictness: aws (exact bodies) or generic').choices([
        'aws',
        'generic',
      ]),
    )
    .option(
      '--scenario-seconds <n>',
      `seconds of offered load per scenario (default ${RUN_SCENARIO_SECONDS}; \`gateproof load\` runs a scenario's full length)`,
      positiveSeconds,
      RUN_SCENARIO_SECONDS,
    )
    .option('--out <dir>', 'where to write the run (default: reports/<run-id>)', outDir)
    .option('--quiet', 'no progress bars; case lines only for what did not pass; the closing summary')
    .option('--json', 'a machine-readable summary on stdout (everything else on stderr)')
    .addHelpText('after', EXIT_CODES_HELP)
    .option(
      '--fault <name>',
      'break one promise of the reference gateway on purpose (see `gateproof faults`)',
    )
    .action(
      async (opts: {
        target: string;
        suites?: string[];
        scenarios?: string[];
        load: boolean;
        scenarioSeconds: number;
        profile?: 'aws' | 'generic';
        out?: string;
        fault?: string;
        quiet?: boolean;
        json?: boolean;
      }) => {
        const { results, outDir, timings } = await runGateproof({
          target: opts.target,
          ...(opts.suites ? { suites: opts.suites } : {}),
          ...(opts.scenarios ? { scenarios: opts.scenarios } : {}),
          load: opts.load,
          // The load part of `run` is a smoke check beside the suites; `gateproof load` runs full length.
          scenarioSeconds: opts.scenarioSeconds,
          ...(opts.profile ? { profile: opts.profile } : {}),
          ...(opts.out ? { out: opts.out } : {}),
          ...(opts.fault ? { fault: opts.fault } : {}),
          quiet: opts.quiet === true,
          json: opts.json === true,
          command: commandLine(),
          signal: interruptSignal(),
        });
        reportOutcome(results, outDir, { json: opts.json === true, timings });
      },
    );
}
