import { Command, Option } from 'commander';
import { runGateproof } from '../run/run-gateproof.js';
import { commandLine, interruptSignal, list } from './options.js';
import { reportOutcome } from './outcome.js';

/** Seconds of offered load per scenario in `gateproof run`. */
const RUN_SCENARIO_SECONDS = 3;

export function runCommand(): Command {
  return new Command('run')
    .description('run the conformance suites (and load scenarios) against a target and write the reports')
    .option(
      '--target <reference|nginx|haproxy|serverless-offline|FILE.yaml>',
      'the embedded reference gateway, a gateway gateproof configures (nginx, HAProxy, serverless-offline), or a target profile',
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
    .option('--out <dir>', 'where to write the run (default: reports/<run-id>)')
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
        profile?: 'aws' | 'generic';
        out?: string;
        fault?: string;
      }) => {
        const { results, outDir } = await runGateproof({
          target: opts.target,
          ...(opts.suites ? { suites: opts.suites } : {}),
          ...(opts.scenarios ? { scenarios: opts.scenarios } : {}),
          load: opts.load,
          // The load part of `run` is a smoke check beside the suites; `gateproof load` runs full length.
          scenarioSeconds: RUN_SCENARIO_SECONDS,
          ...(opts.profile ? { profile: opts.profile } : {}),
          ...(opts.out ? { out: opts.out } : {}),
          ...(opts.fault ? { fault: opts.fault } : {}),
          command: commandLine(),
          signal: interruptSignal(),
        });
        reportOutcome(results, outDir);
      },
    );
}
