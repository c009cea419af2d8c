import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { UsageError } from '../../usage-error.js';

/** The last pair that runs without an account login; serverless 4 asks for one. */
export const SERVERLESS_VERSION = '3.40.0';
export const SERVERLESS_OFFLINE_VERSION = '13.10.1';
const INSTALL = `npm install --save-dev serverless@${SERVERLESS_VERSION} serverless-offline@${SERVERLESS_OFFLINE_VERSION}`;

export interface SlsInstall {
  /** serverless's own entry point, run with this Node. */
  cli: string;
  /** The node_modules folder holding serverless-offline, for serverless.yml's plugins.localPath. */
  pluginsDir: string;
  version: string;
}

/**
 * serverless and serverless-offline as the user's project has them (the current directory), else
 * as gateproof's own development install has them: large enough (about 270 MB) that gateproof does
 * not make every user install them. Missing or of another major version: one line naming the fix.
 */
export function findServerless(
  from: string[] = [join(process.cwd(), 'package.json'), import.meta.url],
): SlsInstall {
  for (const base of from) {
    const require = createRequire(base);
    const sls = packageOf(require, 'serverless');
    const offline = packageOf(require, 'serverless-offline');
    if (!sls || !offline) continue;
    if (!sls.version.startsWith('3.') || !offline.version.startsWith('13.')) {
      throw new UsageError(
        `serverless-offline target: found serverless ${sls.version} and serverless-offline ${offline.version}, needs 3.x and 13.x: ${INSTALL}`,
      );
    }
    return {
      cli: join(sls.dir, 'bin', 'serverless.js'),
      pluginsDir: dirname(offline.dir),
      version: `${offline.version} (serverless ${sls.version})`,
    };
  }
  throw new UsageError(
    `serverless-offline target: serverless and serverless-offline are not installed: ${INSTALL}`,
  );
}

/** Found as Node would find it, by hand: serverless-offline's exports hide its package.json. */
function packageOf(require: NodeJS.Require, name: string): { dir: string; version: string } | undefined {
  for (const nodeModules of require.resolve.paths(name) ?? []) {
    const file = join(nodeModules, name, 'package.json');
    if (!existsSync(file)) continue;
    const { version } = JSON.parse(readFileSync(file, 'utf8')) as { version: string };
    return { dir: dirname(file), version };
  }
  return undefined;
}
