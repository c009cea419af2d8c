import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../usage-error.js';
import { findBinary } from '../find-binary.js';

const MODULE_DIRS = ['/usr/lib/nginx/modules', '/usr/share/nginx/modules', '/usr/local/nginx/modules'];

/** Dynamic modules gateproof uses, each with the modules it needs loaded before it. */
const MODULES = {
  js: ['ngx_http_js_module.so'],
  lua: ['ndk_http_module.so', 'ngx_http_lua_module.so'],
} as const;
export type NginxModule = keyof typeof MODULES;

export interface NginxInstall {
  binary: string;
  version: string;
  /** Absolute paths of the `load_module` files, by module, for the modules that really load. */
  modules: Partial<Record<NginxModule, string[]>>;
}

/** GATEPROOF_NGINX, then PATH, then the usual sbin directories. */
export function findNginx(env: NodeJS.ProcessEnv = process.env): string {
  return findBinary('nginx', 'GATEPROOF_NGINX', env, ['/usr/local/nginx/sbin']);
}

/**
 * The binary, its version, and which of the js and Lua modules load: a module file that is
 * present but built for another nginx makes `nginx -t` fail, and then what needs it (the JWT
 * authorizer, the quota) is not claimed.
 */
export function inspectNginx(env: NodeJS.ProcessEnv = process.env): NginxInstall {
  const binary = findNginx(env);
  // nginx prints its version and build options on stderr.
  const built = spawnSync(binary, ['-V'], { encoding: 'utf8', timeout: 5_000 });
  const text = `${built.stdout ?? ''}${built.stderr ?? ''}`;
  const version = /nginx version: [^/\s]+\/(\S+)/.exec(text)?.[1];
  if (!version) throw new UsageError(`${binary} does not look like nginx (no version from -V)`);
  const dirs = [/--modules-path=(\S+)/.exec(text)?.[1], ...MODULE_DIRS].filter((d): d is string => !!d);
  const modules: NginxInstall['modules'] = {};
  for (const name of Object.keys(MODULES) as NginxModule[]) {
    const files = MODULES[name].map((file) => dirs.map((d) => join(d, file)).find((f) => existsSync(f)));
    if (files.every((f): f is string => f !== undefined) && loads(binary, files)) modules[name] = files;
  }
  return { binary, version, modules };
}

function loads(binary: string, files: readonly string[]): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'gateproof-nginx-t-'));
  try {
    const conf = join(dir, 'nginx.conf');
    writeFileSync(
      conf,
      `${files.map((f) => `load_module ${f};`).join('\n')}\npid ${join(dir, 'nginx.pid')};\nevents {}\n`,
    );
    execFileSync(binary, ['-t', '-q', '-p', dir, '-e', join(dir, 'error.log'), '-c', conf], {
      stdio: 'ignore',
      timeout: 5_000,
    });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
