import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Probe } from '../../probe/server.js';
import { UsageError } from '../../usage-error.js';
import { freePort, LOOPBACK as HOST, listenPort } from '../loopback-port.js';
import type { Profile } from '../profile-schema.js';
import { startTargetSupport } from '../target-support.js';
import { inspectNginx } from './nginx-binary.js';
import { renderNginxConfig } from './nginx-config.js';
import { JWT_MODULE_FILE, jwtModule } from './nginx-jwt.js';
import { type NginxProcess, NginxStartError, startNginx } from './nginx-process.js';
import { defaultNginxProfile, resolveNginxProfile } from './nginx-profile.js';

const PORT_ATTEMPTS = 3;
const GATEWAY = 'an nginx target';

export interface NginxTarget {
  profile: Profile;
  /** The private directory holding nginx.conf, its pid, logs, temp files and cache; removed on close. */
  prefix: string;
  pid: number;
  close(): Promise<void>;
}

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
export async function startNginxTarget(options: NginxTargetOptions = {}): Promise<NginxTarget> {
  const install = inspectNginx(options.env);
  const base = options.profile ?? defaultNginxProfile();
  const fixedPort = listenPort(base.baseUrl, GATEWAY);
  const support = await startTargetSupport({
    profile: base,
    gateway: GATEWAY,
    kind: 'nginx',
    ...(install.modules.js && wants(base, 'jwt') ? { issuer: base.jwt ?? defaultNginxProfile().jwt! } : {}),
  });
  const { probe, dir: prefix } = support;
  try {
    mkdirSync(join(prefix, 'temp'));
    let profile = resolveNginxProfile(base, {
      baseUrl: base.baseUrl,
      probeUrl: probe.url,
      install,
      ...(support.pages ? { pages: support.pages } : {}),
      ...(support.jwt ? { jwt: support.jwt } : {}),
    });
    const plansCreatedAt = Date.now() / 1000;
    for (let attempt = 1; ; attempt++) {
      const port = fixedPort ?? (await freePort());
      profile = { ...profile, baseUrl: `http://${HOST}:${port}` };
      try {
        const nginx = await launch(
          install.binary,
          prefix,
          port,
          probe,
          profile,
          install.modules,
          plansCreatedAt,
        );
        return {
          profile,
          prefix,
          pid: nginx.pid,
          close: async () => {
            await nginx.stop();
            await support.close();
          },
        };
      } catch (err) {
        const retry =
          err instanceof NginxStartError && err.portTaken && !fixedPort && attempt < PORT_ATTEMPTS;
        if (!retry) throw err instanceof NginxStartError ? new UsageError(err.message) : err;
      }
    }
  } catch (err) {
    await support.close();
    throw err;
  }
}

async function launch(
  binary: string,
  prefix: string,
  port: number,
  probe: Probe,
  profile: Profile,
  modules: Parameters<typeof renderNginxConfig>[0]['modules'],
  plansCreatedAt: number,
): Promise<NginxProcess> {
  const configFile = join(prefix, 'nginx.conf');
  const config = renderNginxConfig({
    profile,
    prefix,
    port,
    probe: new URL(probe.url).host,
    modules,
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
  const nginx = await startNginx({ binary, prefix, configFile, errorLog: join(prefix, 'error.log'), port });
  // nginx has read its config (and stops by signal, never by reading it again): the keys need not
  // stay on disk while it runs.
  rmSync(configFile, { force: true });
  rmSync(jwtFile, { force: true });
  return nginx;
}

function wants(profile: Profile, feature: Profile['features'][number]): boolean {
  return profile.features.length === 0 || profile.features.includes(feature);
}
