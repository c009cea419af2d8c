import { spawnSync } from 'node:child_process';
import { UsageError } from '../../usage-error.js';
import { findBinary } from '../find-binary.js';

export interface HaproxyInstall {
  binary: string;
  /** As HAProxy prints it: `2.6.12-1+deb12u4`. */
  version: string;
  /** `jwt_verify` is there: HAProxy 2.5 or later, built with OpenSSL. */
  jwt: boolean;
}

/** GATEPROOF_HAPROXY, then PATH, then the usual sbin directories. */
export function findHaproxy(env: NodeJS.ProcessEnv = process.env): string {
  return findBinary('haproxy', 'GATEPROOF_HAPROXY', env);
}

/** The binary, its version, and whether it can verify a JWT's signature. */
export function inspectHaproxy(env: NodeJS.ProcessEnv = process.env): HaproxyInstall {
  const binary = findHaproxy(env);
  const built = spawnSync(binary, ['-vv'], { encoding: 'utf8', timeout: 5_000 });
  const text = `${built.stdout ?? ''}${built.stderr ?? ''}`;
  const version = /HA-?Proxy version (\S+)/i.exec(text)?.[1];
  if (!version) throw new UsageError(`${binary} does not look like HAProxy (no version from -vv)`);
  const [major = 0, minor = 0] = version.split('.').map((n) => Number.parseInt(n, 10));
  const openssl = /USE_OPENSSL=1|\+OPENSSL/.test(text);
  return { binary, version, jwt: openssl && (major > 2 || (major === 2 && minor >= 5)) };
}
