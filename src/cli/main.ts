import { Command, CommanderError } from 'commander';
import { createRedactor } from '../results/redact.js';
import { TOOL_VERSION } from '../run/run-gateproof.js';
import { UsageError } from '../usage-error.js';
import { compareCommand } from './compare.js';
import { doctorCommand } from './doctor.js';
import { faultsCommand } from './faults.js';
import { generateCommand } from './generate.js';
import { initCommand } from './init.js';
import { k6Command } from './k6.js';
import { loadCommand } from './load.js';
import { probeCommand } from './probe.js';
import { reportCommand } from './report.js';
import { runCommand } from './run.js';
import { serveCommand } from './serve.js';

/** A message may quote a URL or a header from the profile: credentials in it never reach the console. */
const redact = createRedactor([]);
// A reader that stops early (`gateproof faults | head -1`) is no error: stop quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

const program = new Command('gateproof')
  .description('Proves an API gateway does what its configuration promises, and measures it under load.')
  .version(TOOL_VERSION)
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(`${text.split('\n')[0]}\n`) });

for (const command of [
  runCommand(),
  loadCommand(),
  serveCommand(),
  probeCommand(),
  initCommand(),
  doctorCommand(),
  faultsCommand(),
  reportCommand(),
  compareCommand(),
  generateCommand(),
  k6Command(),
]) {
  // Subcommands added this way do not inherit settings: without these, a bad option would exit 1.
  program.addCommand(command.copyInheritedSettings(program));
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = exitCodeFor(err);
}

/** Bad input is one line and exit code 2; anything else is a gateproof bug, still one line. */
function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) {
    // --help and --version exit through here with code 0.
    return err.exitCode === 0 ? 0 : 2;
  }
  if (err instanceof UsageError) {
    process.stderr.write(`gateproof: ${redact(err.message.split('\n')[0] ?? '')}\n`);
    return 2;
  }
  const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
  process.stderr.write(`gateproof: internal error: ${redact(message ?? '')}\n`);
  if (process.env.GATEPROOF_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
  return 2;
}
