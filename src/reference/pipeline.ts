import type { IncomingHttpHeaders } from 'node:http';
import { apiKeyStep } from './api-keys.js';
import type { ApiMethod } from './api-model.js';
import { authorizeStep } from './authorizers.js';
import { cacheFlushStep, cacheStep } from './cache-step.js';
import type { ApiKey } from './config.js';
import { corsOptionsMockStep, corsStep } from './cors.js';
import type { GatewayResponseType } from './gateway-responses.js';
import { integrationStep } from './proxy.js';
import { routeStep } from './router.js';
import type { GatewayRuntime } from './runtime.js';
import { type UsagePlan, usagePlanStep } from './usage-plans.js';

/** A complete, buffered answer: what the gateway writes back to the caller. */
export interface Reply {
  status: number;
  headers: Record<string, string | string[]>;
  body: string | Buffer;
  /** Set when the gateway made this reply itself rather than relaying the integration's. */
  gatewayResponse?: GatewayResponseType;
}

/** One request as it moves through the pipeline; steps fill in what they learn. */
export interface RequestContext {
  readonly requestId: string;
  readonly httpMethod: string;
  /** The path as received, stage prefix included, query excluded. */
  readonly path: string;
  /** The query string without `?`, empty when there is none. */
  readonly rawQuery: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  readonly sourceIp: string;
  /** The method of the API this request resolved to (route step). */
  route?: ApiMethod;
  /** The caller's key and its plan for this stage (API-key step). */
  apiKey?: ApiKey;
  plan?: UsagePlan;
  /** The outcome of a quota charge made ahead of the usage-plan step (only under a fault). */
  quotaChargedEarly?: boolean;
  /** `$context.authorizer.*` from a JWT or Lambda authorizer (authorize step), sent on to the integration. */
  authorizerContext?: Readonly<Record<string, string>>;
  /** The IAM caller's ARN, once its SigV4 signature is verified (`$context.identity.userArn`). */
  callerArn?: string;
  /** Credentials the gateway consumed (SigV4's Authorization header or query parameters), kept from the integration. */
  consumed?: { headers: readonly string[]; query: readonly string[] };
}

/**
 * A step either answers (a gateway response) or hands on to the rest of the pipeline with `next`,
 * and may act on the reply that comes back (a cache stores it, CORS decorates it). A check that
 * must be atomic, like a quota charge, runs synchronously inside one step.
 */
export type Step = (ctx: RequestContext, next: () => Promise<Reply>) => Reply | Promise<Reply>;

/**
 * API Gateway's order of work for a REST method: CORS around everything (so gateway-made errors
 * can carry it), SigV4/JWT/authorizers inside `authorizeStep`, the stage cache just before the
 * integration. The control plane's cache flush is not part of the stage and comes first.
 */
export function buildPipeline(gw: GatewayRuntime): readonly Step[] {
  return [
    cacheFlushStep(gw),
    corsStep(gw),
    routeStep(gw),
    authorizeStep(gw),
    apiKeyStep(gw),
    usagePlanStep(gw),
    cacheStep(gw),
    corsOptionsMockStep(gw),
    integrationStep(gw),
  ];
}

export function compose(steps: readonly Step[]): (ctx: RequestContext) => Promise<Reply> {
  return (ctx) => {
    const run = (index: number): Promise<Reply> => {
      const step = steps[index];
      if (!step) return Promise.reject(new Error('the pipeline ended without a reply'));
      try {
        return Promise.resolve(step(ctx, () => run(index + 1)));
      } catch (err) {
        return Promise.reject(err);
      }
    };
    return run(0);
  };
}
