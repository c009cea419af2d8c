import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Issuer } from '../../auth/oidc-issuer.js';
import { type PageOrigin, startPageOrigin } from '../../probe/page-origin.js';
import { type Probe, startProbe } from '../../probe/server.js';
import { UsageError } from '../../usage-error.js';
import { startBuiltinIssuer } from '../builtin-issuer.js';
import { freePort, LOOPBACK as HOST, listenPort } from '../loopback-port.js';
import type { Profile } from '../profile-schema.js';
import { inspectNginx } from './nginx-binary.js';
import { renderNginxConfig } from './nginx-config.js';
import { JWT_MODULE_FILE, jwtModule } from './nginx-jwt.js';
import { type NginxProcess, NginxStartError, startNginx } from './nginx-process.js';
import { defaultNginxProfile, resolveNginxProfile } from './nginx-profile.js';

const PORT_ATTEMPTS = 3;

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
  const fixedPort = listenPort(base.baseUrl, 'an nginx target');
  const probe = await startProbe({ host: HOST });
  const prefix = mkdtempSync(join(tmpdir(), 'gateproof-nginx-'));
  mkdirSync(join(prefix, 'temp'));
  const pageOrigins: PageOrigin[] = [];
  let issuer: Issuer | undefined;
  // The prefix holds the keys in nginx.conf: gone on close, and on an abrupt exit too.
  const removePrefix = () => rmSync(prefix, { recursive: true, force: true });
  process.once('exit', removePrefix);
  const cleanUp = async () => {
    await Promise.all([probe.close(), ...pageOrigins.map((p) => p.close()), issuer?.close()]);
    process.off('exit', removePrefix);
    removePrefix();
  };
  try {
    // The browser CORS cases load pages from two loopback origins, one allowed and one not: served
    // for the whole run, so their ports are taken before the config names them.
    if (!base.cors?.pages) {
      pageOrigins.push(await startPageOrigin({ host: HOST }), await startPageOrigin({ host: HOST }));
    }
    const [allowed, disallowed] = pageOrigins;
    const jwt =
      install.modules.js && wants(base, 'jwt')
        ? await startBuiltinIssuer(base.jwt ?? defaultNginxProfile().jwt!, 'an nginx target')
        : undefined;
    issuer = jwt?.issuer;
    let profile = resolveNginxProfile(base, {
      baseUrl: base.baseUrl,
      probeUrl: probe.url,
      install,
      ...(allowed && disallowed ? { pages: { allowed: allowed.origin, disallowed: disallowed.origin } } : {}),
      ...(jwt ? { jwt: jwt.profile } : {}),
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
            await cleanUp();
          },
        };
      } catch (err) {
        const retry =
          err instanceof NginxStartError && err.portTaken && !fixedPort && attempt < PORT_ATTEMPTS;
        if (!retry) throw err instanceof NginxStartError ? new UsageError(err.message) : err;
      }
    }
  } catch (err) {
    await cleanUp();
    throw err;
  }
}

function launch(
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
  if (profile.features.includes('jwt') && profile.jwt) {
    writeFileSync(join(prefix, JWT_MODULE_FILE), jwtModule(profile.jwt), { mode: 0o600 });
  }
  return startNginx({ binary, prefix, configFile, errorLog: join(prefix, 'error.log'), port });
}

function wants(profile: Profile, feature: Profile['features'][number]): boolean {
  return profile.features.length === 0 || profile.features.includes(feature);
}
