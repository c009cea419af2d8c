import { z } from 'zod';

export const UNAUTHORIZED_STRATEGIES = [
  'FAIL_WITH_403',
  'SUCCEED_WITH_RESPONSE_HEADER',
  'SUCCEED_WITHOUT_RESPONSE_HEADER',
] as const;
export type UnauthorizedStrategy = (typeof UNAUTHORIZED_STRATEGIES)[number];

const ttl = z.number().int().min(0, 'TTL is 0 to 3600 seconds').max(3600, 'TTL is 0 to 3600 seconds');

/** The caching part of a method setting, with AWS's names. */
const cacheMethodSetting = z.strictObject({
  cachingEnabled: z.boolean().optional(),
  cacheTtlInSeconds: ttl.optional(),
  requireAuthorizationForCacheControl: z.boolean().optional(),
  unauthorizedCacheControlHeaderStrategy: z.enum(UNAUTHORIZED_STRATEGIES).optional(),
});
export type CacheMethodSetting = z.infer<typeof cacheMethodSetting>;

/**
 * The stage cache (a REST stage with `cacheClusterEnabled`). Stage-wide defaults, then method
 * settings keyed like AWS's: `*\/*` for every method, `/path/GET` for one; the more specific wins.
 * Without a setting, only GET is cached.
 */
export const cacheConfigSchema = z.strictObject({
  cacheTtlInSeconds: ttl.default(300),
  requireAuthorizationForCacheControl: z.boolean().default(true),
  unauthorizedCacheControlHeaderStrategy: z
    .enum(UNAUTHORIZED_STRATEGIES)
    .default('SUCCEED_WITH_RESPONSE_HEADER'),
  methodSettings: z
    .record(
      z.string().regex(/^(\*\/\*|\/\S*\/[A-Z]+)$/, 'keys look like "*/*" or "/path/GET"'),
      cacheMethodSetting,
    )
    .default({}),
  /** What the cache may hold: AWS's smallest cache is 0.5 GB; the reference keeps less in memory. */
  maxBytes: z
    .number()
    .int()
    .positive()
    .default(64 * 1024 * 1024),
});

export type CacheConfig = z.infer<typeof cacheConfigSchema>;
export type CacheConfigInput = z.input<typeof cacheConfigSchema>;
