import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Issuer } from '../auth/oidc-issuer.js';
import { type PageOrigin, startPageOrigin } from '../probe/page-origin.js';
import { type Probe, startProbe } from '../probe/server.js';
import { startBuiltinIssuer } from './builtin-issuer.js';
import { LOOPBACK } from './loopback-port.js';
import type { Profile } from './profile-schema.js';

type Jwt = NonNullable<Profile['jwt']>;

export interface TargetSupportOptions {
  /** The profile the gateway is started from. */
  profile: Profile;
  /** `an nginx target`, for one-line errors. */
  gateway: string;
  /** Prefix of the private directory's name. */
  dirPrefix: string;
  /** Start the built-in issuer the gateway's JWT authorizer trusts, with these settings. */
  issuer?: Jwt;
}

/** What a gateway gateproof starts needs around it, started before it and stopped after it. */
export interface TargetSupport {
  probe: Probe;
  /** The private directory for the gateway's config (which holds the keys); removed on close. */
  dir: string;
  /** Loopback origins serving gateproof's browser page: the first is to be allowed, the second not. */
  pages?: { allowed: string; disallowed: string };
  /** The built-in issuer's settings for the profile, mint API included. */
  jwt?: Jwt;
  close(): Promise<void>;
}

/**
 * The probe, the private directory, the two page origins of the browser CORS cases (served for the
 * whole run, so their ports are taken before the config names them; not when the profile names
 * its own) and the built-in issuer. If any fails to start, those started are stopped.
 */
export async function startTargetSupport(options: TargetSupportOptions): Promise<TargetSupport> {
  const probe = await startProbe({ host: LOOPBACK });
  const dir = mkdtempSync(join(tmpdir(), options.dirPrefix));
  const pageOrigins: PageOrigin[] = [];
  let issuer: Issuer | undefined;
  // The directory holds the keys: gone on close, and on an abrupt exit too.
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeDir);
  const close = async () => {
    await Promise.all([probe.close(), ...pageOrigins.map((p) => p.close()), issuer?.close()]);
    process.off('exit', removeDir);
    removeDir();
  };
  try {
    if (!options.profile.cors?.pages) {
      pageOrigins.push(await startPageOrigin({ host: LOOPBACK }), await startPageOrigin({ host: LOOPBACK }));
    }
    const [allowed, disallowed] = pageOrigins;
    const jwt = options.issuer ? await startBuiltinIssuer(options.issuer, options.gateway) : undefined;
    issuer = jwt?.issuer;
    return {
      probe,
      dir,
      ...(allowed && disallowed ? { pages: { allowed: allowed.origin, disallowed: disallowed.origin } } : {}),
      ...(jwt ? { jwt: jwt.profile } : {}),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The profile's CORS settings with gateproof's page origins, the allowed one added to allowOrigins. */
export function corsWithPages(cors: NonNullable<Profile['cors']>, facts: { pages?: TargetSupport['pages'] }) {
  const pages = cors.pages ?? facts.pages;
  if (!pages) return cors;
  return {
    ...cors,
    allowOrigins: cors.allowOrigins.includes(pages.allowed)
      ? cors.allowOrigins
      : [...cors.allowOrigins, pages.allowed],
    pages,
  };
}

/** The JWT and CORS settings the reference gateway is proved with, so the columns of a comparison mean the same. */
export const REFERENCE_SETTINGS = {
  jwt: { issuer: 'builtin', audience: 'gateproof', scopes: ['gateproof/read'] },
  cors: {
    allowOrigins: ['https://app.example.com', 'https://*.example.com'],
    allowMethods: ['GET', 'POST'],
    allowHeaders: ['content-type', 'authorization', 'x-api-key', 'x-gp-nonce'],
    exposeHeaders: ['x-gp-version', 'x-amzn-requestid'],
    maxAge: 600,
    allowCredentials: true,
  },
} as const;
