import { Command } from 'commander';
import { startReferenceStack } from '../reference/stack.js';
import { port } from './options.js';

export function serveCommand(): Command {
  return new Command('serve')
    .description('start the reference gateway and the probe for manual use, until Ctrl-C')
    .option('--port <n>', 'gateway port (default: a free one)', port)
    .option('--fault <name>', 'break one promise on purpose')
    .action(async (opts: { port?: number; fault?: string }) => {
      const stack = await startReferenceStack({
        ...(opts.port === undefined ? {} : { port: opts.port }),
        ...(opts.fault ? { fault: opts.fault } : {}),
      });
      const { profile } = stack;
      process.stdout.write(
        [
          `gateway  ${stack.gatewayUrl}/${profile.stage}  (REST semantics, stage ${profile.stage})`,
          `probe    ${stack.probeUrl}`,
          `api key  ${profile.apiKeys?.valid ?? '(none)'}   (for manual use; regenerated at every start)`,
          `try      curl -H 'x-api-key: ${profile.apiKeys?.valid ?? ''}' ${stack.gatewayUrl}/${profile.stage}/keyed`,
          '',
        ].join('\n'),
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await stack.close();
    });
}
