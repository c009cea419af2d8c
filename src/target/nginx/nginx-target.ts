import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildGateway } from '../child-gateway.js';
import { type LaunchContext, type LocalGateway, startLocalGateway } from '../local-gateway.js';
import type { Profile } from '../profile-schema.js';
import { inspectNginx, type NginxInstall } from './nginx-binary.js';
import { renderNginxConfig } from './nginx-config.js';
import { JWT_MODULE_FILE, jwtModule } from './nginx-jwt.js';
import { startNginx } from './nginx-process.js';
import { defaultNginxProfile, resolveNginxProfile } from './nginx-profile.js';

export type NginxTarget = LocalGateway;

export interface NginxTargetOptions {
  /** A profile of kind nginx; `--target nginx` uses the defaults. */
  profile?: Profile;
  env?: NodeJS.ProcessEnv;
}

/**
 * nginx as a second real gateway: a probe, then nginx on a free loopback port with a config
 * written from the profile into a private prefix. Fresh keys every start (unless the profile
 * names keys), so no run sees another's quota.
 */
export function startNginxTarget(options: NginxTargetOptions = {}): Promise<NginxTarget> {
  const install = inspectNginx(options.env);
  const base = options.profile ?? defaultNginxProfile();
  const plansCreatedAt = Date.now() / 1000;
  return startLocalGateway({
    name: 'nginx',
    base,
    verifiesJwt: install.modules.js !== undefined,
    resolve: (facts) => resolveNginxProfile(base, { ...facts, install }),
    launch: (context) => launch(install, context, plansCreatedAt),
  });
}

async function launch(
  install: NginxInstall,
  { prefix, port, probe, profile }: LaunchContext,
  plansCreatedAt: number,
): Promise<ChildGateway> {
  mkdirSync(join(prefix, 'temp'), { recursive: true });
  const configFile = join(prefix, 'nginx.conf');
  const config = renderNginxConfig({
    profile,
    prefix,
    port,
    probe: new URL(probe.url).host,
    modules: install.modules,
    plansCreatedAt,
    // As root, nginx's workers would drop to a user that cannot read this private prefix.
    ...(process.getuid?.() === 0 ? { user: 'root' } : {}),
  });
  // The config holds the API keys.
  writeFileSync(configFile, config, { mode: 0o600 });
  const jwtFile = join(prefix, JWT_MODULE_FILE);
  if (profile.features.includes('jwt') && profile.jwt) {
    writeFileSync(jwtFile, jwtModule(profile.jwt), { mode: 0o600 });
  }
  const nginx = await startNginx({
    binary: install.binary,
    prefix,
    configFile,
    errorLog: join(prefix, 'error.log'),
    port,
  });
  // nginx has read its config (and stops by signal, never by reading it again): the keys need not
  // stay on disk while it runs.
  rmSync(configFile, { force: true });
  rmSync(jwtFile, { force: true });
  return nginx;
}
