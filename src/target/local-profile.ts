import { freshKeys, secretValue } from './fresh-keys.js';
import type { LocalFacts } from './local-gateway.js';
import type { Feature, Profile } from './profile-schema.js';
import { profileSchema } from './profile-schema.js';
import { corsWithPages, REFERENCE_SETTINGS } from './target-support.js';

/**
 * The profile `--target nginx` or `--target haproxy` starts from; a profile file of that kind
 * overrides any part. The plans are the reference gateway's: a generous plan throttle, and a
 * method throttle on the route the load scenarios measure.
 */
export function defaultLocalProfile(kind: 'nginx' | 'haproxy', vendor: string): Profile {
  return profileSchema.parse({
    name: kind,
    kind,
    vendor,
    baseUrl: 'http://127.0.0.1:0',
    stage: 'test',
    profile: 'generic',
    plans: {
      default: { throttle: { rateLimit: 1000, burstLimit: 500 } },
      tinyQuota: { quota: { limit: 5, period: 'DAY' } },
      throttled: { throttle: { rateLimit: 200, burstLimit: 100 } },
    },
    ...REFERENCE_SETTINGS,
    cache: {
      ttlSeconds: 300,
      shortTtlSeconds: 2,
      keyParameters: ['id'],
      requireAuthorizationForCacheControl: true,
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
    cors: corsWithPages(base.cors ?? defaults.cors!, facts),
  };
}
