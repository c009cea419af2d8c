import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { UsageError } from '../usage-error.js';

/** Distributions keep gateways in sbin, which a non-root PATH often lacks. */
const SBIN_DIRS = ['/usr/sbin', '/usr/local/sbin'];

/**
 * A gateway's binary: the one the environment variable names, else the first on PATH or in the
 * usual sbin directories (and `extraDirs`). Not found is one line saying how to fix it.
 */
export function findBinary(
  name: string,
  envVar: string,
  env: NodeJS.ProcessEnv = process.env,
  extraDirs: readonly string[] = [],
): string {
  const named = env[envVar];
  if (named !== undefined) {
    if (isExecutable(named)) return named;
    throw new UsageError(`${name} not found at ${envVar}=${named}`);
  }
  const dirs = [...(env.PATH ?? '').split(delimiter).filter(Boolean), ...SBIN_DIRS, ...extraDirs];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  throw new UsageError(`${name} not found (install ${name}, or set ${envVar} to its binary)`);
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
