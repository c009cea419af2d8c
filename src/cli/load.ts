import { Command } from 'commander';
import { SCENARIOS } from '../../scenarios/index.js';
import { runGateproof } from '../run/run-gateproof.js';
import { commandLine, interruptSignal } from './options.js';
import { reportOutcome } from './outcome.js';

export function loadCommand(): Command {
  return new Command('load')
    .description('run one load scenario against a target and write the reports')
    .requiredOption('--scenario <name>', `the scenario: ${SCENARIOS.map((s) => s.id).join(', ')}`)
    .option(
      '--target <reference|nginx|haproxy|serverless-offline|FILE.yaml>',
      'the embedded reference gateway, a gateway gateproof configures (nginx, HAProxy, serverless-offline), or a target profile',
      'reference',
    )
    .option('--out <dir>', 'where to write the run (default: reports/<run-id>)')
    .action(async (opts: { scenario: string; target: string; out?: string }) => {
      const { results, outDir } = await runGateproof({
        target: opts.target,
        suites: [],
        scenarios: [opts.scenario],
        ...(opts.out ? { out: opts.out } : {}),
        command: commandLine(),
        signal: interruptSignal(),
      });
      reportOutcome(results, outDir);
    });
}
