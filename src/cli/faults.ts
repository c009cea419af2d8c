import { Command } from 'commander';
import { FAULTS } from '../reference/faults.js';

export function faultsCommand(): Command {
  return new Command('faults')
    .description("list the reference gateway's fault names, one per line")
    .option('--verbose', 'also print what each fault breaks')
    .action((opts: { verbose?: boolean }) => {
      for (const fault of FAULTS) {
        process.stdout.write(
          opts.verbose
            ? `${fault.name}\t${fault.description}\tbreaks: ${[...fault.breaks, ...('scenarios' in fault ? fault.scenarios.map((s) => `scenario ${s}`) : [])].join(', ')}\n`
            : `${fault.name}\n`,
        );
      }
    });
}
