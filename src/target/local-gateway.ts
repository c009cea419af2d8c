import type { Probe } from '../probe/server.js';
import { UsageError } from '../usage-error.js';
import type { ChildGateway } from './child-gateway.js';
import { GatewayStartError } from './gateway-start-error.js';
import { freePort, LOOPBACK, listenPort } from './loopback-port.js';
import type { Profile } from './profile-schema.js';
import { REFERENCE_SETTINGS, startTargetSupport, type TargetSupport } from './target-support.js';

const PORT_ATTEMPTS = 3;

/** What gateproof started for a local gateway, besides the gateway itself. */
export interface LocalFacts {
  baseUrl: string;
  probeUrl: string;
  /** Loopback origins serving gateproof's browser page: the first is allowed, the second is not. */
  pages?: TargetSupport['pages'];
  /** The built-in issuer the gateway trusts, and its mint API for the suites. */
  jwt?: NonNullable<Profile['jwt']>;
}

export interface LaunchContext {
  /** The private directory for the gateway's config, pid, logs and cache; removed on close. */
  prefix: string;
  port: number;
  probe: Probe;
  profile: Profile;
}

export interface LocalGatewaySpec {
  /** `nginx`, `haproxy`: in messages and in the private directory's name. */
  name: string;
  /** The profile asked for (a file of this kind, or the defaults). */
  base: Profile;
  /** Whether this gateway can verify the built-in issuer's tokens: then the issuer is started. */
  verifiesJwt: boolean;
  /** The profile of the started gateway, from the base and what was started for it. */
  resolve(facts: LocalFacts): Profile;
  /** Writes the config into the prefix and starts the gateway on the port. */
  launch(context: LaunchContext): Promise<ChildGateway>;
}

export interface LocalGateway {
  profile: Profile;
  prefix: string;
  pid: number;
  close(): Promise<void>;
}

/**
 * A gateway gateproof configures and starts itself as a process (nginx, HAProxy): what it needs
 * around it (see startTargetSupport), then the gateway on a free loopback port with a config
 * written from the profile into the private directory, retried on another port when one is taken
 * between choosing it and the gateway binding it.
 */
export async function startLocalGateway(spec: LocalGatewaySpec): Promise<LocalGateway> {
  const { base, name } = spec;
  const gateway = `the ${name} target`;
  const fixedPort = listenPort(base.baseUrl, gateway);
  const wantsJwt = spec.verifiesJwt && (base.features.length === 0 || base.features.includes('jwt'));
  const support = await startTargetSupport({
    profile: base,
    gateway,
    kind: name.replace(/[^a-z]/g, ''),
    ...(wantsJwt
      ? { issuer: base.jwt ?? { ...REFERENCE_SETTINGS.jwt, scopes: [...REFERENCE_SETTINGS.jwt.scopes] } }
      : {}),
  });
  const { probe, dir: prefix } = support;
  try {
    let profile = spec.resolve({
      baseUrl: base.baseUrl,
      probeUrl: probe.url,
      ...(support.pages ? { pages: support.pages } : {}),
      ...(support.jwt ? { jwt: support.jwt } : {}),
    });
    for (let attempt = 1; ; attempt++) {
      const port = fixedPort ?? (await freePort());
      profile = { ...profile, baseUrl: `http://${LOOPBACK}:${port}` };
      try {
        const started = await spec.launch({ prefix, port, probe, profile });
        return {
          profile,
          prefix,
          pid: started.pid,
          close: async () => {
            await started.stop();
            await support.close();
          },
        };
      } catch (err) {
        const retry =
          err instanceof GatewayStartError && err.portTaken && !fixedPort && attempt < PORT_ATTEMPTS;
        if (!retry) throw err instanceof GatewayStartError ? new UsageError(err.message) : err;
      }
    }
  } catch (err) {
    await support.close();
    throw err;
  }
}
