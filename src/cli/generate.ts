import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { generateTypes } from '../contract/generate-types.js';

export function generateCommand(): Command {
  return new Command('generate')
    .description('generate the TypeScript types of an OpenAPI 3.0/3.1 contract for the typed client')
    .requiredOption('--spec <file>', 'the OpenAPI document (YAML or JSON)')
    .requiredOption('--out <file>', 'where to write the types (.ts)')
    .action(async (opts: { spec: string; out: string }) => {
      writeFileSync(opts.out, await generateTypes(opts.spec));
      process.stdout.write(`gateproof: types for ${opts.spec} → ${opts.out}\n`);
    });
}
