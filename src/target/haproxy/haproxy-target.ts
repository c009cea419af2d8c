import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JSONWebKeySet } from 'jose';
import { request } from 'undici';
import { JWKS_PATH } from '../../auth/oidc-issuer.js';
import { type ChildGateway, ChildGatewayStartError, startChildGateway } from '../child-gateway.js';
import { gatewayStartError } from '../gateway-start-error.js';
import { type LaunchContext, type LocalGateway, startLocalGateway } from '../local-gateway.js';
import type { Profile } from '../profile-schema.js';
import { type HaproxyInstall, inspectHaproxy } from './haproxy-binary.js';
import { renderHaproxyConfig } from './haproxy-config.js';
import { jwtKeyFiles } from './haproxy-jwt.js';
import { KEYS_MAP_FILE, keysMap } from './haproxy-plans.js';
import { defaultHaproxyProfile, resolveHaproxyProfile } from './haproxy-profile.js';

export interface HaproxyTargetOptions {
  /** A profile of kind haproxy; `--target haproxy` uses the defaults. */
  profile?: Profile;
  env?: NodeJS.ProcessEnv;
}

/**
 * HAProxy as a third real gateway: a probe, then HAProxy on a free loopback port with haproxy.cfg
 * written from the profile into a private prefix, beside its key map and the issuer's public keys.
 * Fresh keys every start (unless the profile names keys), so no run sees another's quota.
 */
export function startHaproxyTarget(options: HaproxyTargetOptions = {}): Promise<LocalGateway> {
  const install = inspectHaproxy(options.env);
  const base = options.profile ?? defaultHaproxyProfile();
  const plansCreatedAt = Date.now() / 1000;
  return startLocalGateway({
    name: 'haproxy',
    base,
    verifiesJwt: install.jwt,
    resolve: (facts) => resolveHaproxyProfile(base, { ...facts, install }),
    launch: (context) => launch(install, context, plansCreatedAt),
  });
}

const READY_TIMEOUT_MS = 10_000;

async function launch(
  install: HaproxyInstall,
  { prefix, port, probe, profile }: LaunchContext,
  plansCreatedAt: number,
): Promise<ChildGateway> {
  // The map, the config and the keys' files hold secrets or decide who is let in: private.
  const mapFile = join(prefix, KEYS_MAP_FILE);
  writeFileSync(mapFile, keysMap(profile), { mode: 0o600 });
  const keys =
    profile.features.includes('jwt') && profile.jwt
      ? jwtKeyFiles(await jwks(profile.jwt.issuer), prefix)
      : [];
  for (const key of keys) writeFileSync(key.file, key.pem, { mode: 0o600 });
  const configFile = join(prefix, 'haproxy.cfg');
  const config = renderHaproxyConfig({
    profile,
    port,
    probe: new URL(probe.url).host,
    keysMap: mapFile,
    jwtKeys: keys,
    plansCreatedAt,
  });
  writeFileSync(configFile, config, { mode: 0o600 });
  try {
    return await startChildGateway({
      command: install.binary,
      // -db: in the foreground, logging to stderr.
      args: ['-db', '-f', configFile],
      readyUrl: `http://127.0.0.1:${port}/`,
      readyTimeoutMs: READY_TIMEOUT_MS,
    });
  } catch (err) {
    throw err instanceof ChildGatewayStartError ? gatewayStartError('haproxy', err) : err;
  }
}

/** The issuer's published keys, fetched as any deployment would before writing its config. */
async function jwks(issuer: string): Promise<JSONWebKeySet> {
  const res = await request(`${issuer.replace(/\/$/, '')}${JWKS_PATH}`, {
    headersTimeout: 5_000,
    bodyTimeout: 5_000,
  });
  if (res.statusCode !== 200) throw new Error(`the built-in issuer's JWKS answered ${res.statusCode}`);
  return (await res.body.json()) as JSONWebKeySet;
}
