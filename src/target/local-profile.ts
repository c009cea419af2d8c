import { randomBytes } from 'node:crypto';
import type { LocalFacts } from './local-gateway.js';
import type { Feature, Profile } from './profile-schema.js';
import { profileSchema } from './profile-schema.js';

const QUOTA_KEYS = 10;

/** The JWT authorizer's settings when a profile asks for one without saying how. */
export const DEFAULT_JWT = { issuer: 'builtin', audience: 'gateproof', scopes: ['gateproof/read'] } as const;
const ALPHANUMERIC = /^[A-Za-z0-9]+$/;

/**
 * The profile `--target nginx` or `--target haproxy` starts from; a profile file of that kind
 * overrides any part. The settings are those the reference gateway is proved with, so the columns
 * of a comparison mean the same.
 */
export function defaultLocalProfile(kind: 'nginx' | 'haproxy', vendor: string): Profile {
  return profileSchema.parse({
    name: kind,
    kind,
    vendor,
    baseUrl: 'http://127.0.0.1:0',
    stage: 'test',
    profile: 'generic',
    // The reference gateway's plans: a generous plan throttle, and a method throttle on the
    // route the load scenarios measure.
    plans: {
      default: { throttle: { rateLimit: 1000, burstLimit: 500 } },
      tinyQuota: { quota: { limit: 5, period: 'DAY' } },
      throttled: { throttle: { rateLimit: 200, burstLimit: 100 } },
    },
    jwt: DEFAULT_JWT,
    cache: {
      ttlSeconds: 300,
      shortTtlSeconds: 2,
      keyParameters: ['id'],
      requireAuthorizationForCacheControl: true,
    },
    cors: {
      allowOrigins: ['https://app.example.com', 'https://*.example.com'],
      allowMethods: ['GET', 'POST'],
      allowHeaders: ['content-type', 'authorization', 'x-api-key', 'x-gp-nonce'],
      exposeHeaders: ['x-gp-version', 'x-amzn-requestid'],
      maxAge: 600,
      allowCredentials: true,
    },
  });
}

/** A local gateway has no IAM: the right to invalidate a cache entry is this header with a secret value. */
const INVALIDATION_HEADER = 'x-gateproof-invalidate';

export interface LocalIdentity {
  kind: 'nginx' | 'haproxy';
  vendor: string;
  version: string;
  /** What this installation's config can honour. */
  capabilities: Feature[];
}

/**
 * The profile of a started local gateway: where it listens, its probe, the keys it was configured
 * with (fresh ones when the profile names none), and the features it claims: those asked for (all
 * when none are) that it can honour. The browser CORS cases need page origins, and an
 * invalidation needs a right to invalidate: both are made here when the profile has none.
 */
export function resolveLocalProfile(base: Profile, facts: LocalFacts, identity: LocalIdentity): Profile {
  const defaults = defaultLocalProfile(identity.kind, identity.vendor);
  const capable = identity.capabilities.filter(
    (f) => (f !== 'cors-browser' || facts.pages) && (f !== 'jwt' || facts.jwt),
  );
  const asked = base.features.length > 0 ? base.features : capable;
  const cache = base.cache ?? defaults.cache!;
  const cors = base.cors ?? defaults.cors!;
  const pages = cors.pages ?? facts.pages;
  return {
    ...base,
    kind: identity.kind,
    vendor: identity.vendor,
    version: identity.version,
    baseUrl: facts.baseUrl,
    probe: { url: facts.probeUrl },
    features: asked.filter((f) => capable.includes(f)),
    apiKeys: base.apiKeys ?? freshKeys(),
    plans: {
      default: base.plans.default ?? defaults.plans.default,
      tinyQuota: base.plans.tinyQuota ?? defaults.plans.tinyQuota,
      throttled: base.plans.throttled ?? defaults.plans.throttled,
    },
    ...(facts.jwt ? { jwt: facts.jwt } : {}),
    cache:
      cache.requireAuthorizationForCacheControl && !cache.invalidationHeaders
        ? { ...cache, invalidationHeaders: { [INVALIDATION_HEADER]: secretValue() } }
        : cache,
    cors: pages
      ? {
          ...cors,
          allowOrigins: cors.allowOrigins.includes(pages.allowed)
            ? cors.allowOrigins
            : [...cors.allowOrigins, pages.allowed],
          pages,
        }
      : cors,
  };
}

function freshKeys(): NonNullable<Profile['apiKeys']> {
  return {
    valid: secretValue(),
    other: secretValue(),
    disabled: secretValue(),
    otherStage: secretValue(),
    quota: Array.from({ length: QUOTA_KEYS }, secretValue),
    quotaPair: [secretValue(), secretValue()],
  };
}

/**
 * 40 letters and digits holding both cases, so a wrongly-cased copy of a key is a different key
 * (the quota and header cases rely on it).
 */
function secretValue(): string {
  for (;;) {
    const value = randomBytes(40).toString('base64').replace(/[+/=]/g, '').slice(0, 40);
    if (value.length === 40 && ALPHANUMERIC.test(value) && /[a-z]/.test(value) && /[A-Z]/.test(value)) {
      return value;
    }
  }
}
