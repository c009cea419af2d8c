import { Command } from 'commander';
import { SCENARIOS } from '../../scenarios/index.js';
import { runGateproof } from '../run/run-gateproof.js';
import { commandLine, interruptSignal, outDir } from './options.js';
import { EXIT_CODES_HELP, reportOutcome } from './outcome.js';

export function loadCommand(): Command {
  return new Command('load')
    .description('run one load scenario against a target and write the reports')
    .requiredOption('--scenario <name>', `the scenario: ${SCENARIOS.map((s) => s.id).join(', ')}`)
    .option(
      '--target <reference|reference-http|nginx|haproxy|serverless-offline|FILE.yaml>',
      'the embedded reference gateway (REST, or HTTP API), a gateway gateproof configures (nginx, HAProxy, serverless-offline), or a target profile',
      'reference',
    )
    .option('--out <dir>', 'where to write the run (default: reports/<run-id>)', outDir)
    .option('--quiet', 'no progress bars; case lines only for what did not pass; the closing summary')
    .option('--json', 'a machine-readable summary on stdout (everything else on stderr)')
    .addHelpText('after', EXIT_CODES_HELP)
    .action(
      async (opts: { scenario: string; target: string; out?: string; quiet?: boolean; json?: boolean }) => {
        const { results, outDir, timings } = await runGateproof({
          target: opts.target,
          suites: [],
          scenarios: [opts.scenario],
          ...(opts.out ? { out: opts.out } : {}),
          quiet: opts.quiet === true,
          json: opts.json === true,
          command: commandLine(),
          signal: interruptSignal(),
        });
        reportOutcome(results, outDir, { json: opts.json === true, timings });
      },
    );
}
