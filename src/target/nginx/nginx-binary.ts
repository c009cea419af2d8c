import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { UsageError } from '../../usage-error.js';

/** Distributions keep nginx in sbin, which a non-root PATH often lacks. */
const SBIN_DIRS = ['/usr/sbin', '/usr/local/sbin', '/usr/local/nginx/sbin'];
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
  if (env.GATEPROOF_NGINX !== undefined) {
    if (isExecutable(env.GATEPROOF_NGINX)) return env.GATEPROOF_NGINX;
    throw new UsageError(`nginx not found at GATEPROOF_NGINX=${env.GATEPROOF_NGINX}`);
  }
  const dirs = [...(env.PATH ?? '').split(delimiter).filter(Boolean), ...SBIN_DIRS];
  for (const dir of dirs) {
    const candidate = join(dir, 'nginx');
    if (isExecutable(candidate)) return candidate;
  }
  throw new UsageError('nginx not found (install nginx, or set GATEPROOF_NGINX to its binary)');
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
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
