import { z } from 'zod';
import { quotaSchema, throttleSchema } from '../reference/config.js';
import { UNSUPPORTED_NAMES } from './unsupported.js';

export type { Quota, Throttle } from '../reference/config.js';

/**
 * The target profile: where a gateway is and what it promises. One schema for every kind of
 * target, so the suites read the same shape whether gateproof started the gateway or a user
 * deployed it. Secrets arrive through `${ENV}` substitution before this schema sees them.
 */

export const FEATURES = [
  'apikey',
  'quota',
  'throttle',
  'sigv4',
  'sigv4-presigned',
  'jwt',
  /** The JWT authorizer learns a key the issuer publishes after start (its JWKS is refetched). */
  'jwt-rotation',
  'authorizer',
  'cors',
  'cors-browser',
  'cache',
  /** Request validators: required parameters and body models checked before the integration. */
  'validation',
  /** Non-proxy integrations: parameter mappings, mapping templates, passthrough behaviour. */
  'transform',
  /** Customized gateway responses, integration timeouts, payload limits and remapped headers. */
  'responses',
  /** Unknown resources and methods are refused (REST 403, HTTP API 404) and reach no integration. */
  'routes',
  /** X-Ray trace headers added or passed on, and seen by the integration. */
  'tracing',
  /** The stage cache can be flushed whole through a control plane (cache.flush). */
  'cache-flush',
  'websocket',
  /** Several stages of one API (the `release` section), each with its variables, deployment, cache and plans, released through the control plane. */
  'stages',
  /** Canary releases on a stage: percentTraffic, stageVariableOverrides, useStageCache, promotion. */
  'canary',
] as const;
export type Feature = (typeof FEATURES)[number];

const path = z.string().startsWith('/', 'must start with "/"');

/**
 * A value gateproof sends in a header: visible ASCII or Latin-1 with inner spaces, nothing HTTP
 * cannot carry. A key with a trailing newline is the user's mistake, refused here rather than
 * reported as the gateway failing every case.
 */
const SENDABLE = /^[\x21-\x7e\x80-\xff](?:[\x20-\x7e\x80-\xff\t]*[\x21-\x7e\x80-\xff])?$/;
const SENDABLE_MESSAGE =
  'cannot be sent in an HTTP header (control characters, newlines, or leading or trailing spaces)';
/** Gateways refuse header lines far shorter (8 to 16 KiB for all headers together). */
const MAX_HEADER_VALUE = 8192;
const headerValue = z.string().max(MAX_HEADER_VALUE).regex(SENDABLE, SENDABLE_MESSAGE);
const headerName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be an HTTP header name');

/** Profile values that are secrets: redacted wherever they could appear (see secrets.ts). */
export const secretFields = z.registry<{ secret: true }>();
const secret = z.string().min(1, 'must not be empty').max(MAX_HEADER_VALUE).regex(SENDABLE, SENDABLE_MESSAGE);
secretFields.add(secret, { secret: true });

/** Far beyond any real gateway's lists: a longer one is a mistake or an attack on gateproof itself. */
const MAX_ITEMS = 1000;
const list = <T extends z.ZodType>(item: T) => z.array(item).max(MAX_ITEMS);
const bounded = <T extends z.ZodType>(record: z.ZodRecord<z.ZodString, T>) =>
  record.refine((r) => Object.keys(r).length <= MAX_ITEMS, `must have at most ${MAX_ITEMS} entries`);
const loopbackOrigin = z
  .string()
  .regex(
    /^http:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d{1,5}$/,
    'must be http://127.0.0.1:PORT (a loopback origin)',
  );

/** A usage plan as API Gateway defines it: the reference gateway's own schema, one source. */
const plan = z.strictObject({
  throttle: throttleSchema.optional(),
  quota: quotaSchema.optional(),
});

const wsUrl = z.url({ protocol: /^wss?$/ });

export const profileSchema = z.strictObject({
  name: z.string().min(1),
  kind: z.enum(['reference', 'nginx', 'haproxy', 'serverless-offline', 'url']).default('url'),
  vendor: z.string().default('unknown'),
  version: z.string().default('unknown'),
  /** REST (v1) or HTTP (v2) API semantics: they differ in error bodies and headers. */
  mode: z.enum(['rest', 'http']).default('rest'),
  baseUrl: z.url({ protocol: /^https?$/ }),
  /** Stage prefix appended to baseUrl; empty when the stage is in the host or absent. */
  stage: z.string().default(''),
  profile: z.enum(['aws', 'generic']).default('generic'),
  features: list(z.enum(FEATURES)).default([]),
  /** Parts of claimed features the gateway does not offer (see unsupported.ts): their cases skip. */
  unsupported: list(z.enum(UNSUPPORTED_NAMES)).default([]),
  /** Per-request timeout: a gateway that hangs must not hang the run. */
  timeoutMs: z.number().int().positive().max(600_000).default(10_000),
  /** Routes that play each role, relative to the stage. */
  routes: z
    .strictObject({
      open: path.default('/open'),
      keyed: path.default('/keyed'),
      quota: path.default('/quota'),
      throttled: path.default('/throttled'),
      iam: path.default('/iam'),
      jwt: path.default('/jwt'),
      authorizer: path.default('/authorizer'),
      /** A REQUEST authorizer with its result cache on, keyed by Authorization and the nonce. */
      authorizerRequest: path.default('/authorizer-request'),
      cached: path.default('/cached'),
      /** Cached with a short per-method TTL (cache.shortTtlSeconds). */
      cachedShort: path.default('/cached-short'),
      /** Caching enabled with a per-method TTL of 0. */
      cachedOff: path.default('/cached-off'),
      /** Cached; an unauthorized invalidation is refused (FAIL_WITH_403). */
      cachedStrict: path.default('/cached-strict'),
      /** Cached; an unauthorized invalidation is ignored without a word (SUCCEED_WITHOUT_RESPONSE_HEADER). */
      cachedSilent: path.default('/cached-silent'),
      /** Request validator `all`: an Order body, query q1 and header h1. */
      validated: path.default('/validated'),
      /** Request validator `params-only`. */
      validatedParams: path.default('/validated-params'),
      /** Request validator `body-only`; text/plain has no model. */
      validatedBody: path.default('/validated-body'),
      /** Non-proxy integration with parameter mappings and templates, passthrough NEVER. */
      transformed: path.default('/transformed'),
      /** A JSON body mapped to XML. */
      transformedXml: path.default('/transformed-xml'),
      passthroughMatch: path.default('/passthrough-match'),
      passthroughTemplates: path.default('/passthrough-templates'),
      passthroughNone: path.default('/passthrough-none'),
      /** A proxy whose integration timeout is 500 ms. */
      slow: path.default('/slow'),
    })
    .prefault({}),
  /**
   * Headers through which the gateway tells the integration who the caller is, besides the
   * authorizer context (`x-gp-authorizer-*`): `$context.identity` values, or a vendor's own
   * (Kong's `x-consumer-id`, say). A client must never be able to set them.
   */
  identityHeaders: z.array(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'a header name')).default([]),
  /** Where gateproof reads the probe's counters directly (not through the gateway). */
  probe: z
    .strictObject({
      url: z.url({ protocol: /^https?$/ }),
      /** The control secret of a probe started with one (`gateproof probe`), sent to read its counters. */
      secret: secret.optional(),
    })
    .optional(),
  apiKeys: z
    .strictObject({
      valid: secret,
      /** A second valid key on the same plan, for isolation checks. */
      other: secret.optional(),
      disabled: secret.optional(),
      /** A key in a usage plan that does not include this stage. */
      otherStage: secret.optional(),
      /** Fresh keys on the tiny-quota plan, one per quota case: a used key stays used for the period. */
      quota: list(secret).default([]),
      /** Two keys sharing one tiny-quota plan: a quota is per key, so one's use must not touch the other's. */
      quotaPair: z.array(secret).length(2).optional(),
    })
    .optional(),
  /**
   * How the gateway's throttle counts: API Gateway's token bucket (a rate and a burst), or a
   * sliding-window counter (at most burstLimit requests in any burstLimit / rateLimit seconds, as
   * HAProxy's stick tables count). The throttle findings measure and name what this says.
   */
  limiter: z.enum(['token-bucket', 'sliding-window']).default('token-bucket'),
  plans: z
    .strictObject({
      default: plan.optional(),
      tinyQuota: plan.optional(),
      /** The throttle of the throttled route (a method-level throttle on AWS), which load scenarios measure. */
      throttled: plan.optional(),
    })
    .prefault({}),
  sigv4: z
    .strictObject({
      region: z.string().min(1),
      service: z.string().default('execute-api'),
      accessKeyId: secret,
      secretAccessKey: secret,
      sessionToken: secret.optional(),
      /** A credential whose policy denies execute-api:Invoke on the IAM route. */
      denied: z.strictObject({ accessKeyId: secret, secretAccessKey: secret }).optional(),
      /** Temporary credentials (as from STS), whose session token must come with every request. */
      temporary: z
        .strictObject({ accessKeyId: secret, secretAccessKey: secret, sessionToken: secret })
        .optional(),
    })
    .optional(),
  jwt: z
    .strictObject({
      /** `builtin`: gateproof's own OIDC issuer; otherwise the issuer URL the gateway trusts. */
      issuer: z.union([z.literal('builtin'), z.url()]).default('builtin'),
      audience: z.string().min(1),
      scopes: list(z.string()).default([]),
      /**
       * The built-in issuer's mint API, through which suites get tokens signed without holding
       * its private keys (see src/auth/issuer-mint-api.ts). Without it no token can be made.
       */
      mint: z.strictObject({ url: z.url({ protocol: /^https?$/ }), secret }).optional(),
    })
    .optional(),
  authorizer: z
    .strictObject({
      /** Identity-source values that make the authorizer allow, deny, refuse or crash. */
      tokens: z.strictObject({
        allow: secret,
        deny: secret,
        unauthorized: secret,
        crash: secret.optional(),
      }),
      /** The TTL of the cached REQUEST authorizer (routes.authorizerRequest). */
      resultTtlSeconds: z.number().int().min(0).max(3600).default(300),
      /** The context the allow token's answer must carry to the integration, as strings. */
      context: bounded(z.record(z.string(), z.string())).optional(),
      /**
       * The context key in which the function numbers its calls, so that a cached answer, or a call
       * never made, shows through the gateway.
       */
      invocationKey: z.string().min(1).optional(),
    })
    .optional(),
  cors: z
    .strictObject({
      allowOrigins: list(headerValue).min(1),
      allowMethods: list(headerValue).default([]),
      allowHeaders: list(headerValue).default([]),
      exposeHeaders: list(headerValue).default([]),
      maxAge: z.number().int().nonnegative().optional(),
      allowCredentials: z.boolean().default(false),
      /** An origin the gateway must refuse. */
      disallowedOrigin: headerValue.default('https://evil.example'),
      /**
       * Loopback origins gateproof serves its browser pages from (`http://127.0.0.1:PORT`): the
       * first must be in allowOrigins, the second must not. gateproof listens on them itself
       * unless they already serve its page.
       */
      pages: z
        .strictObject({ allowed: loopbackOrigin, disallowed: loopbackOrigin })
        .refine((p) => p.allowed !== p.disallowed, 'allowed and disallowed must differ')
        .optional(),
    })
    .optional(),
  /**
   * A WebSocket API whose $connect needs the valid API key in `x-api-key` and a REQUEST authorizer
   * token (authorizer.tokens) in the `token` query parameter; route selection `$request.body.action`.
   */
  websocket: z
    .strictObject({
      /** Routes `echo` and `$default`, each integrated with the probe. */
      url: wsUrl,
      /** The same authorization, route `echo` only: an unmatched message gets an error frame. */
      noDefaultUrl: wsUrl,
      /** Routes `echo` and `$default` behind IAM authorization at $connect (the upgrade SigV4-signed by sigv4's caller). */
      iamUrl: wsUrl.optional(),
      /** The management API, `.../{stage}/@connections`, signed with sigv4.region. */
      connectionsUrl: z.url({ protocol: /^https?$/ }),
      maxMessageBytes: z.number().int().positive().default(131_072),
      maxFrameBytes: z.number().int().positive().default(32_768),
      idleTimeoutSeconds: z.number().positive().max(60).default(600),
      maxConnectionSeconds: z.number().positive().default(7200),
      /** SigV4 credentials allowed execute-api:ManageConnections. */
      manager: z.strictObject({
        accessKeyId: secret,
        secretAccessKey: secret,
        sessionToken: secret.optional(),
      }),
    })
    .optional(),
  /**
   * The release API (src/contract/release-api.yaml) deployed to two stages, and the control plane
   * that deploys it: the `stages` and `canary` suites change its deployments, variables and
   * canary through API Gateway's own calls, and put back what they changed.
   */
  release: z
    .strictObject({
      /** The invoke URL without the stage, like baseUrl. */
      baseUrl: z.url({ protocol: /^https?$/ }),
      /** The stage the suites release to, and the stage beside it that must not change. */
      stages: z.strictObject({ main: z.string().min(1), other: z.string().min(1) }),
      /** API Gateway's control plane (`https://apigateway.REGION.amazonaws.com`). */
      controlPlane: z.url({ protocol: /^https?$/ }),
      restApiId: z.string().min(1),
      /** The resource id of `/release`, whose integration a deployment changes. */
      releaseResourceId: z.string().min(1),
      region: z.string().min(1),
      /** Credentials allowed to deploy: apigateway:POST, PATCH and GET on the API. */
      deployer: z.strictObject({
        accessKeyId: secret,
        secretAccessKey: secret,
        sessionToken: secret.optional(),
      }),
      apiKeys: z.strictObject({
        /** In a usage plan that covers both stages. */
        bothStages: secret,
        /** In a usage plan that covers the main stage only. */
        mainOnly: secret,
        /** In a plan whose main stage throttles `GET /release/keyed` (throttle below); the other stage does not. */
        throttled: secret,
      }),
      /** The main stage's method throttle of `GET /release/keyed` for the throttled key. */
      throttle: throttleSchema,
      /** The main stage has a cache cluster (`/release/cached` keyed by gpn); the other has none. */
      cacheTtlSeconds: z.number().int().min(1).max(3600).default(300),
    })
    .optional(),
  cache: z
    .strictObject({
      ttlSeconds: z.number().int().min(0).max(3600).default(300),
      /** Query parameters declared as cache keys on the cached route. */
      keyParameters: list(z.string()).default([]),
      requireAuthorizationForCacheControl: z.boolean().default(true),
      /** The strategy of routes.cached; routes.cachedStrict and routes.cachedSilent have theirs in their names. */
      unauthorizedStrategy: z
        .enum(['FAIL_WITH_403', 'SUCCEED_WITH_RESPONSE_HEADER', 'SUCCEED_WITHOUT_RESPONSE_HEADER'])
        .default('SUCCEED_WITH_RESPONSE_HEADER'),
      /** The per-method TTL of routes.cachedShort: short, so expiry is seen within a run. */
      shortTtlSeconds: z.number().int().min(1).max(30).default(2),
      /**
       * Who may invalidate with `Cache-Control: max-age=0`: a SigV4 caller allowed
       * `execute-api:InvalidateCache` (these credentials, or sigv4's when absent), or, on a gateway
       * that authorizes invalidation otherwise, the headers that make a caller authorized.
       */
      invalidator: z
        .strictObject({
          region: z.string().min(1).optional(),
          accessKeyId: secret,
          secretAccessKey: secret,
          sessionToken: secret.optional(),
        })
        .optional(),
      invalidationHeaders: bounded(z.record(headerName, secret)).optional(),
      /**
       * The stage's flush-cache endpoint (API Gateway: `DELETE https://apigateway.REGION.amazonaws.com/
       * restapis/ID/stages/STAGE/cache/data`), signed with the invalidator's credentials.
       */
      flush: z
        .strictObject({
          url: z.url({ protocol: /^https?$/ }),
          method: z.string().default('DELETE'),
          service: z.string().default('apigateway'),
        })
        .optional(),
    })
    .optional(),
  /**
   * Per load scenario, the checks of its findings that replace the scenario's defaults, as
   * `{ "throttle-burst": { "throttle.burst": "within(declared, 25%)" } }`; `off` drops one. The
   * metrics and expressions are checked when the run starts (src/load/finding-checks.ts).
   */
  checks: z.record(z.string(), z.record(z.string(), z.string().min(1))).optional(),
});

export type Profile = z.infer<typeof profileSchema>;
export type ProfileInput = z.input<typeof profileSchema>;
