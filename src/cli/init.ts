import { writeFileSync } from 'node:fs';
import { Argument, Command } from 'commander';
import { INIT_KINDS, type InitKind, profileTemplate } from '../target/profile-templates.js';
import { UsageError } from '../usage-error.js';

export function initCommand(): Command {
  return new Command('init')
    .description('write a commented target profile for a kind of gateway (secrets as ${NAME})')
    .addArgument(new Argument('<kind>', 'the kind of gateway').choices(INIT_KINDS))
    .option('--out <file>', 'where to write it (default: gateproof-<kind>.yaml; - for stdout)')
    .option('--force', 'overwrite an existing file')
    .action((kind: InitKind, opts: { out?: string; force?: boolean }) => {
      const text = profileTemplate(kind);
      const file = opts.out ?? `gateproof-${kind}.yaml`;
      if (file === '-') {
        process.stdout.write(text);
        return;
      }
      try {
        writeFileSync(file, text, { flag: opts.force ? 'w' : 'wx' });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') throw new UsageError(`${file} exists; --force overwrites it`);
        throw new UsageError(`cannot write ${file}: ${code ?? err}`);
      }
      process.stdout.write(`gateproof: wrote ${file}; fill it in, then: gateproof doctor --target ${file}\n`);
    });
}
