import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type Probe, startProbe } from '../probe/server.js';
import { type Feature, type Profile, profileSchema } from '../target/profile-schema.js';
import { type Clock, systemClock } from './clock.js';
import type { ApiKey, GatewayConfigInput, Quota, Throttle, UsagePlanConfig } from './config.js';
import { parseFault } from './faults.js';
import { DECLARED_IDENTITY_HEADERS } from './identity-headers.js';
import { startReferenceGateway } from './server.js';
import { type AuthSetup, startAuthSetup } from './stack-auth.js';
import { type CorsCacheSetup, startCorsCacheSetup } from './stack-cors-cache.js';
import { type StagesSetup, startStagesSetup } from './stack-stages.js';
import { startWebSocketSetup, type WebSocketSetup } from './stack-websocket.js';

const STAGE = 'test';
const REGION = 'us-east-1';
const ACCOUNT_ID = '123456789012';
const API_ID = 'gateproof';
const QUOTA_KEYS = 10;
/**
 * What the reference's HTTP API claims (DG: http-api-vs-rest): no keys, plans, cache, validation,
 * templates or custom gateway responses. IAM is served, but its HTTP API error shapes are not
 * modelled yet, so sigv4 is not claimed.
 */
const HTTP_API_FEATURES: Feature[] = ['cors', 'cors-browser', 'routes', 'jwt'];
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export interface ReferenceStackOptions {
  /** Break one promise on purpose (see FAULTS). */
  fault?: string;
  clock?: Clock;
  host?: string;
  /** The gateway's port; a free one when absent. The probe always takes a free one. */
  port?: number;
  /** The default plan's throttle: generous, so conformance traffic never meets it. */
  throttle?: Throttle;
  /** The method-level throttle of GET /throttled in the default plan, which load scenarios measure. */
  methodThrottle?: Throttle;
  /** The tiny-quota plans' quota. */
  quota?: Quota;
  integrationTimeoutMs?: number;
  /** HTTP API's built-in CORS (default) or REST's OPTIONS methods with a mock integration. */
  corsStyle?: 'http' | 'rest';
  /** Serve the API as a REST API (default) or as an HTTP API. */
  mode?: 'rest' | 'http';
  /**
   * A probe and issuer already running (`gateproof probe`), so the gateway proxies to them rather
   * than to ones of its own: the reference then stands where a user's gateway would.
   */
  upstream?: ExternalUpstream;
}

export interface ExternalUpstream {
  probeUrl: string;
  issuerUrl: string;
  /** The secret of both: the probe's counters and the issuer's mint API. */
  secret: string;
}

export interface ReferenceStack {
  profile: Profile;
  gatewayUrl: string;
  probeUrl: string;
  /** The stack's own probe; absent when it proxies to an external one (`upstream`). */
  probe: Probe | undefined;
  close(): Promise<void>;
}

/**
 * The embedded default target: a probe and a reference gateway in front of it on free loopback
 * ports, with fresh keys every start so no run sees another's quota.
 */
export async function startReferenceStack(options: ReferenceStackOptions = {}): Promise<ReferenceStack> {
  parseFault(options.fault);
  const throttle = options.throttle ?? { rateLimit: 1000, burstLimit: 500 };
  const methodThrottle = options.methodThrottle ?? { rateLimit: 200, burstLimit: 100 };
  const quota = options.quota ?? { limit: 5, period: 'DAY', offset: 0 };
  const keys = {
    valid: apiKeyValue(),
    other: apiKeyValue(),
    disabled: apiKeyValue(),
    otherStage: apiKeyValue(),
    quota: Array.from({ length: QUOTA_KEYS }, apiKeyValue),
    quotaPair: [apiKeyValue(), apiKeyValue()],
  };
  const apiKeys: ApiKey[] = [
    { id: 'valid', value: keys.valid, enabled: true },
    { id: 'other', value: keys.other, enabled: true },
    { id: 'disabled', value: keys.disabled, enabled: false },
    { id: 'other-stage', value: keys.otherStage, enabled: true },
    ...keys.quota.map((value, i) => ({ id: `quota-${i}`, value, enabled: true })),
    ...keys.quotaPair.map((value, i) => ({ id: `quota-pair-${i}`, value, enabled: true })),
  ];
  const usagePlans: UsagePlanConfig[] = [
    {
      id: 'default',
      apiStages: [{ stage: STAGE, throttle: { '/throttled/GET': methodThrottle } }],
      throttle,
      // The disabled key sits in a plan for this stage, so being disabled is its only flaw.
      apiKeyIds: ['valid', 'other', 'disabled'],
    },
    { id: 'prod-only', apiStages: [{ stage: 'prod', throttle: {} }], throttle, apiKeyIds: ['other-stage'] },
    ...keys.quota.map((_, i) => tinyQuotaPlan(`tiny-quota-${i}`, quota, [`quota-${i}`])),
    tinyQuotaPlan('tiny-quota-pair', quota, ['quota-pair-0', 'quota-pair-1']),
  ];

  const host = options.host ?? '127.0.0.1';
  const { upstream } = options;
  const probe = upstream ? undefined : await startProbe({ host });
  const probeUrl = upstream?.probeUrl ?? probe!.url;
  let gateway: Awaited<ReturnType<typeof startReferenceGateway>> | undefined;
  let corsCache: CorsCacheSetup | undefined;
  let auth: AuthSetup | undefined;
  let websocket: WebSocketSetup | undefined;
  let stages: StagesSetup | undefined;
  try {
    auth = await startAuthSetup({
      host,
      stage: STAGE,
      region: REGION,
      accountId: ACCOUNT_ID,
      apiId: API_ID,
      ...(upstream ? { issuer: { url: upstream.issuerUrl, mintSecret: upstream.secret } } : {}),
    });
    corsCache = await startCorsCacheSetup({
      host,
      stage: STAGE,
      region: REGION,
      accountId: ACCOUNT_ID,
      apiId: API_ID,
      ...(options.corsStyle ? { corsStyle: options.corsStyle } : {}),
    });
    const config: GatewayConfigInput = {
      apiType: options.mode === 'http' ? 'HTTP' : 'REST',
      stage: { name: STAGE, variables: { probeUrl, ...auth.stageVariables }, tracingEnabled: true },
      apiKeys,
      usagePlans,
      region: REGION,
      accountId: ACCOUNT_ID,
      apiId: API_ID,
      iamCredentials: [corsCache.invalidator, ...auth.iamCredentials],
      jwksRefetchCooldownMs: auth.jwksRefetchCooldownMs,
      cors: corsCache.cors,
      cache: corsCache.cache,
      ...(options.integrationTimeoutMs ? { integrationTimeoutMs: options.integrationTimeoutMs } : {}),
    };
    gateway = await startReferenceGateway(config, {
      host,
      port: options.port,
      fault: options.fault,
      clock: options.clock,
    });
    websocket = await startWebSocketSetup({
      host,
      stage: STAGE,
      region: REGION,
      accountId: ACCOUNT_ID,
      apiId: API_ID,
      probeUrl,
      apiKeys: [keys.valid, keys.other],
      iamCredentials: auth.iamCredentials,
      fault: parseFault(options.fault),
    });
    stages = await startStagesSetup({
      host,
      region: REGION,
      accountId: ACCOUNT_ID,
      probeUrl,
      clock: options.clock ?? systemClock,
      fault: parseFault(options.fault),
      apiKeyValue,
    });
  } catch (err) {
    await websocket?.close();
    await gateway?.close();
    await corsCache?.close();
    await auth?.close();
    await probe?.close();
    throw err;
  }

  const profile = profileSchema.parse({
    name: 'reference',
    kind: 'reference',
    vendor: 'gateproof',
    version: packageVersion(),
    mode: options.mode ?? 'rest',
    baseUrl: gateway.url,
    stage: STAGE,
    profile: 'aws',
    features:
      options.mode === 'http'
        ? HTTP_API_FEATURES
        : [
            'apikey',
            'quota',
            'throttle',
            'cors',
            'cors-browser',
            'cache',
            'cache-flush',
            'validation',
            'transform',
            'responses',
            'routes',
            'tracing',
            ...auth.features,
            'websocket',
            ...stages.features,
          ],
    probe: { url: probeUrl, ...(upstream ? { secret: upstream.secret } : {}) },
    identityHeaders: DECLARED_IDENTITY_HEADERS,
    apiKeys: keys,
    plans: { default: { throttle }, tinyQuota: { quota }, throttled: { throttle: methodThrottle } },
    ...corsCache.profile(gateway.url),
    ...auth.profile,
    ...websocket.profile,
    ...(options.mode === 'http' ? {} : stages.profile),
  });
  return {
    profile,
    gatewayUrl: gateway.url,
    probeUrl,
    probe,
    close: async () => {
      await stages.close();
      await websocket.close();
      await gateway.close();
      await corsCache.close();
      await auth.close();
      await probe?.close();
    },
  };
}

function tinyQuotaPlan(id: string, quota: Quota, apiKeyIds: string[]): UsagePlanConfig {
  return { id, apiStages: [{ stage: STAGE, throttle: {} }], quota, apiKeyIds };
}

/**
 * 40 base62 characters holding both cases, so a wrongly-cased copy of a key is always a
 * different key (the header-case and rejected-free cases rely on it).
 */
function apiKeyValue(): string {
  for (;;) {
    let value = '';
    while (value.length < 40) {
      for (const byte of randomBytes(48)) {
        // 248 = 4 × 62: rejecting the rest keeps every character equally likely.
        if (byte < 248 && value.length < 40) value += BASE62[byte % 62];
      }
    }
    if (/[a-z]/.test(value) && /[A-Z]/.test(value)) return value;
  }
}

function packageVersion(): string {
  const file = new URL('../../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}
