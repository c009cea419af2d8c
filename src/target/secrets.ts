import type { Profile } from './profile-schema.js';

/** Every secret value a profile holds, for redaction: keys, secret keys, tokens. */
export function secretsOf(profile: Profile): string[] {
  const out: (string | undefined)[] = [];
  const keys = profile.apiKeys;
  if (keys) {
    out.push(
      keys.valid,
      keys.other,
      keys.disabled,
      keys.otherStage,
      ...keys.quota,
      ...(keys.quotaPair ?? []),
    );
  }
  if (profile.sigv4) {
    out.push(
      profile.sigv4.secretAccessKey,
      profile.sigv4.sessionToken,
      profile.sigv4.denied?.secretAccessKey,
      profile.sigv4.temporary?.secretAccessKey,
      profile.sigv4.temporary?.sessionToken,
    );
  }
  out.push(profile.jwt?.mint?.secret);
  out.push(profile.websocket?.manager.secretAccessKey, profile.websocket?.manager.sessionToken);
  if (profile.authorizer) out.push(...Object.values(profile.authorizer.tokens));
  const cache = profile.cache;
  if (cache) {
    out.push(cache.invalidator?.secretAccessKey, cache.invalidator?.sessionToken);
    out.push(...Object.values(cache.invalidationHeaders ?? {}));
  }
  return out.filter((s): s is string => typeof s === 'string' && s.length > 0);
}
