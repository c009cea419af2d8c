import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type GatewayProcess, startGatewayProcess } from '../gateway-process.js';
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

function launch(
  install: HaproxyInstall,
  { prefix, port, probe, profile, issuer }: LaunchContext,
  plansCreatedAt: number,
): Promise<GatewayProcess> {
  // The map, the config and the keys' files hold secrets or decide who is let in: private.
  const mapFile = join(prefix, KEYS_MAP_FILE);
  writeFileSync(mapFile, keysMap(profile), { mode: 0o600 });
  const keys = profile.features.includes('jwt') && issuer ? jwtKeyFiles(issuer.jwks(), prefix) : [];
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
  return startGatewayProcess({
    name: 'haproxy',
    binary: install.binary,
    args: ['-db', '-f', configFile],
    port,
  });
}
