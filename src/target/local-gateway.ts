import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Issuer, startIssuer } from '../auth/oidc-issuer.js';
import { type PageOrigin, startPageOrigin } from '../probe/page-origin.js';
import { type Probe, startProbe } from '../probe/server.js';
import { UsageError } from '../usage-error.js';
import { type GatewayProcess, GatewayStartError } from './gateway-process.js';
import { DEFAULT_JWT } from './local-profile.js';
import type { Profile } from './profile-schema.js';

const HOST = '127.0.0.1';
const PORT_ATTEMPTS = 3;

/** What gateproof started for a local gateway, besides the gateway itself. */
export interface LocalFacts {
  baseUrl: string;
  probeUrl: string;
  /** Loopback origins serving gateproof's browser page: the first is allowed, the second is not. */
  pages?: { allowed: string; disallowed: string };
  /** The built-in issuer the gateway trusts, and its mint API for the suites. */
  jwt?: NonNullable<Profile['jwt']>;
}

export interface LaunchContext {
  /** The private directory for the gateway's config, pid, logs and cache; removed on close. */
  prefix: string;
  port: number;
  probe: Probe;
  profile: Profile;
  issuer?: Issuer;
}

export interface LocalGatewaySpec {
  /** `nginx`, `haproxy`: in messages and in the prefix's name. */
  name: string;
  /** The profile asked for (a file of this kind, or the defaults). */
  base: Profile;
  /** Whether this gateway can verify the built-in issuer's tokens: then the issuer is started. */
  verifiesJwt: boolean;
  /** The profile of the started gateway, from the base and what was started for it. */
  resolve(facts: LocalFacts): Profile;
  /** Writes the config into the prefix and starts the gateway on the port. */
  launch(context: LaunchContext): Promise<GatewayProcess>;
}

export interface LocalGateway {
  profile: Profile;
  prefix: string;
  pid: number;
  close(): Promise<void>;
}

/**
 * A gateway gateproof configures and starts itself (nginx, HAProxy): a probe, the browser page
 * origins and the built-in issuer when the profile needs them, then the gateway on a free
 * loopback port with a config written from the profile into a private prefix. Everything is
 * stopped, and the prefix (which holds the keys) removed, on close or on an abrupt exit.
 */
export async function startLocalGateway(spec: LocalGatewaySpec): Promise<LocalGateway> {
  const { base, name } = spec;
  const fixedPort = listenPort(base.baseUrl, name);
  const probe = await startProbe({ host: HOST });
  const prefix = mkdtempSync(join(tmpdir(), `gateproof-${name}-`));
  const pageOrigins: PageOrigin[] = [];
  let issuer: Issuer | undefined;
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
    const jwt = spec.verifiesJwt && wants(base, 'jwt') ? await builtinIssuer(base, name) : undefined;
    issuer = jwt?.issuer;
    let profile = spec.resolve({
      baseUrl: base.baseUrl,
      probeUrl: probe.url,
      ...(allowed && disallowed ? { pages: { allowed: allowed.origin, disallowed: disallowed.origin } } : {}),
      ...(jwt ? { jwt: jwt.profile } : {}),
    });
    for (let attempt = 1; ; attempt++) {
      const port = fixedPort ?? (await freePort());
      profile = { ...profile, baseUrl: `http://${HOST}:${port}` };
      try {
        const gateway = await spec.launch({ prefix, port, probe, profile, ...(issuer ? { issuer } : {}) });
        return {
          profile,
          prefix,
          pid: gateway.pid,
          close: async () => {
            await gateway.stop();
            await cleanUp();
          },
        };
      } catch (err) {
        const retry =
          err instanceof GatewayStartError && err.portTaken && !fixedPort && attempt < PORT_ATTEMPTS;
        if (!retry) throw err instanceof GatewayStartError ? new UsageError(err.message) : err;
      }
    }
  } catch (err) {
    await cleanUp();
    throw err;
  }
}

function wants(profile: Profile, feature: Profile['features'][number]): boolean {
  return profile.features.length === 0 || profile.features.includes(feature);
}

/**
 * gateproof's own OIDC issuer, which the gateway's JWT authorizer trusts, with its mint API so the
 * suites can have tokens signed without ever holding its keys.
 */
async function builtinIssuer(
  base: Profile,
  name: string,
): Promise<{ issuer: Issuer; profile: NonNullable<Profile['jwt']> }> {
  const jwt = base.jwt ?? { ...DEFAULT_JWT, scopes: [...DEFAULT_JWT.scopes] };
  if (jwt.issuer !== 'builtin') {
    throw new UsageError(
      `jwt.issuer: the ${name} target trusts gateproof's built-in issuer only ("builtin")`,
    );
  }
  const secret = randomBytes(32).toString('base64url');
  const issuer = await startIssuer({
    host: HOST,
    audience: jwt.audience,
    ...(jwt.scopes.length ? { scope: jwt.scopes.join(' ') } : {}),
    mintSecret: secret,
  });
  return {
    issuer,
    profile: {
      issuer: issuer.issuerUrl,
      audience: jwt.audience,
      scopes: jwt.scopes,
      mint: { url: issuer.issuerUrl, secret },
    },
  };
}

/** A profile's baseUrl says where the gateway listens: loopback only, port 0 for a free one. */
function listenPort(baseUrl: string, name: string): number | undefined {
  const url = new URL(baseUrl);
  if (url.hostname !== HOST && url.hostname !== 'localhost') {
    throw new UsageError(`baseUrl: the ${name} target listens on ${HOST} only, not ${url.hostname}`);
  }
  const port = Number(url.port || 80);
  return port === 0 ? undefined : port;
}

/** A port free a moment ago; the gateway binding it may still lose a race, which the caller retries. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}
