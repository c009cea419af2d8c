import { freshCredentials } from '../auth/fresh-credentials.js';
import { type PageOrigin, startPageOrigin } from '../probe/page-origin.js';
import type { ProfileInput } from '../target/profile-schema.js';
import type { CacheConfigInput } from './cache-config.js';
import type { IamCredential } from './config.js';
import type { CorsConfigInput } from './cors-config.js';

/** Short enough that a run watches an entry expire, long enough that two requests share it. */
const SHORT_TTL_SECONDS = 2;
const STAGE_TTL_SECONDS = 300;

/** The CORS lists the reference serves and the profile declares: one source, so they cannot drift. */
const CORS_LISTS = {
  allowMethods: ['GET', 'POST'],
  allowHeaders: [
    'content-type',
    'authorization',
    'x-api-key',
    'x-amz-date',
    'x-amz-security-token',
    'x-gp-nonce',
  ],
  // The probe's version header, so a page can read which answer it got.
  exposeHeaders: ['x-gp-version', 'x-amzn-requestid'],
  maxAge: 600,
  allowCredentials: true,
};

export interface CorsCacheOptions {
  host: string;
  stage: string;
  region: string;
  accountId: string;
  apiId: string;
  corsStyle?: 'http' | 'rest';
}

export interface CorsCacheSetup {
  cors: CorsConfigInput;
  cache: CacheConfigInput;
  /** An IAM user of the account allowed `execute-api:InvalidateCache` on the stage's GET methods. */
  invalidator: IamCredential;
  /** The profile's `cors` and `cache` sections, once the gateway's URL is known (for the flush). */
  profile(gatewayUrl: string): Pick<ProfileInput, 'cors' | 'cache'>;
  close(): Promise<void>;
}

/**
 * The reference's CORS and cache settings, with the two loopback page origins the browser cases
 * load their pages from: the first is in allowOrigins, the second is not. They are served here,
 * for the whole run, so their ports are taken before the gateway's config names them.
 */
export async function startCorsCacheSetup(options: CorsCacheOptions): Promise<CorsCacheSetup> {
  const pages: PageOrigin[] = [];
  try {
    pages.push(await startPageOrigin({ host: options.host }));
    pages.push(await startPageOrigin({ host: options.host }));
  } catch (err) {
    await Promise.all(pages.map((p) => p.close()));
    throw err;
  }
  const [allowedPage, disallowedPage] = pages as [PageOrigin, PageOrigin];
  const allowOrigins = ['https://app.example.com', 'https://*.example.com', allowedPage.origin];
  const invalidator: IamCredential = {
    ...freshCredentials(),
    arn: `arn:aws:iam::${options.accountId}:user/gateproof-cache-invalidator`,
    policy: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'execute-api:InvalidateCache',
          Resource: `arn:aws:execute-api:${options.region}:${options.accountId}:${options.apiId}/${options.stage}/GET/*`,
        },
      ],
    },
  };
  const strategyOf = (strategy: 'FAIL_WITH_403' | 'SUCCEED_WITHOUT_RESPONSE_HEADER') => ({
    cachingEnabled: true,
    unauthorizedCacheControlHeaderStrategy: strategy,
  });
  return {
    cors: { style: options.corsStyle ?? 'http', allowOrigins, ...CORS_LISTS, gatewayResponses: true },
    cache: {
      cacheTtlInSeconds: STAGE_TTL_SECONDS,
      // Only the cached roles: a stage cache on every GET would make /open?gpn=… share one entry.
      methodSettings: {
        '*/*': { cachingEnabled: false },
        '/cached/GET': { cachingEnabled: true },
        '/cached-short/GET': { cachingEnabled: true, cacheTtlInSeconds: SHORT_TTL_SECONDS },
        '/cached-off/GET': { cachingEnabled: true, cacheTtlInSeconds: 0 },
        '/cached-strict/GET': strategyOf('FAIL_WITH_403'),
        '/cached-silent/GET': strategyOf('SUCCEED_WITHOUT_RESPONSE_HEADER'),
      },
    },
    invalidator,
    profile: (gatewayUrl) => ({
      cors: {
        allowOrigins,
        ...CORS_LISTS,
        pages: { allowed: allowedPage.origin, disallowed: disallowedPage.origin },
      },
      cache: {
        ttlSeconds: STAGE_TTL_SECONDS,
        keyParameters: ['id'],
        requireAuthorizationForCacheControl: true,
        unauthorizedStrategy: 'SUCCEED_WITH_RESPONSE_HEADER',
        shortTtlSeconds: SHORT_TTL_SECONDS,
        invalidator: {
          region: options.region,
          accessKeyId: invalidator.accessKeyId,
          secretAccessKey: invalidator.secretAccessKey,
        },
        flush: { url: `${gatewayUrl}/restapis/${options.apiId}/stages/${options.stage}/cache/data` },
      },
    }),
    close: async () => {
      await Promise.all(pages.map((p) => p.close()));
    },
  };
}
