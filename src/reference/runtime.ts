import { loadContract } from '../contract/load-contract.js';
import { UsageError } from '../usage-error.js';
import { ApiKeys } from './api-keys.js';
import { type ApiMethod, type ApiModel, apiModel } from './api-model.js';
import { createAuthorizers, type StageAuthorizers } from './authorizers.js';
import { CacheAuthority } from './cache-authority.js';
import type { Clock } from './clock.js';
import type { GatewayConfig } from './config.js';
import { corsOptionsMethods } from './cors.js';
import { CorsPolicy } from './cors-policy.js';
import type { FaultName } from './faults.js';
import { type GatewayResponseSettings, gatewayResponseSettings } from './gateway-response-settings.js';
import { HttpProxy } from './proxy.js';
import { Router } from './router.js';
import { StageCache } from './stage-cache.js';
import { UsagePlans } from './usage-plans.js';

/** Everything the pipeline's steps share: one deployed stage of one API. */
export interface GatewayRuntime {
  readonly stage: string;
  readonly stageVariables: Readonly<Record<string, string>>;
  readonly model: ApiModel;
  readonly router: Router;
  readonly keys: ApiKeys;
  readonly plans: UsagePlans;
  readonly proxy: HttpProxy;
  readonly clock: Clock;
  readonly fault: FaultName | undefined;
  /** IAM, JWT and Lambda authorizers, by security scheme. */
  readonly authorizers: StageAuthorizers;
  readonly cors: CorsPolicy | undefined;
  /** REST-style CORS: the OPTIONS methods added to each resource, answered by a mock. */
  readonly corsOptionsMethods: ReadonlySet<ApiMethod>;
  readonly cache: { store: StageCache; authority: CacheAuthority } | undefined;
  readonly apiId: string;
  readonly apiType: 'REST' | 'HTTP';
  /** X-Ray tracing on the stage: the integration always receives a trace header. */
  readonly tracingEnabled: boolean;
  /** The API's customized gateway responses (`x-amazon-apigateway-gateway-responses`). */
  readonly gatewayResponses: GatewayResponseSettings;
  /** `$context.deploymentId`: the deployment this stage (or its canary) serves. */
  readonly deploymentId?: string;
}

/**
 * What one stage shares among the deployments it serves (see stages.ts): a deployment's own
 * snapshot of the API, and the stage's plans and cache, which a canary uses as well.
 */
export interface RuntimeParts {
  model: ApiModel;
  deploymentId: string;
  plans: UsagePlans;
  /** The stage cache, or none: a canary without `useStageCache` does not read the stage's. */
  cache: GatewayRuntime['cache'];
}

export function createRuntime(
  config: GatewayConfig,
  clock: Clock,
  fault: FaultName | undefined,
  parts?: RuntimeParts,
): GatewayRuntime {
  const contract = loadContract(config.contract);
  const http = config.apiType === 'HTTP';
  const model = parts?.model ?? (http ? asHttpApi(apiModel(contract)) : apiModel(contract));
  if (model.apiKeySource !== 'HEADER') {
    throw new UsageError('the reference gateway supports only x-amazon-apigateway-api-key-source HEADER');
  }
  const cors = config.cors && new CorsPolicy(config.cors, fault);
  const optionsMethods = corsOptionsMethods({ cors, fault }, model.methods);
  return {
    stage: config.stage.name,
    stageVariables: config.stage.variables,
    model,
    router: new Router(config.stage.name, [...model.methods, ...optionsMethods]),
    keys: new ApiKeys(config.apiKeys),
    plans: parts?.plans ?? new UsagePlans(config.usagePlans, clock.now(), fault),
    proxy: new HttpProxy(model.methods, config.stage.variables, config.integrationTimeoutMs, fault),
    apiId: config.apiId,
    tracingEnabled: !http && config.stage.tracingEnabled,
    gatewayResponses: http ? new Map() : gatewayResponseSettings(contract),
    apiType: config.apiType,
    clock,
    fault,
    authorizers: createAuthorizers(model, config, clock, fault),
    cors,
    corsOptionsMethods: new Set(optionsMethods),
    cache: parts
      ? parts.cache
      : http
        ? undefined
        : config.cache && {
            store: new StageCache(config.cache, fault),
            authority: new CacheAuthority(config, config.stage.name, clock, fault),
          },
    ...(parts ? { deploymentId: parts.deploymentId } : {}),
  };
}

/** What an HTTP API keeps of an imported contract: no API keys, no request validation. */
function asHttpApi(model: ApiModel): ApiModel {
  return {
    ...model,
    methods: model.methods.map((method) => ({
      ...method,
      apiKeyRequired: false,
      request: { ...method.request, validate: { body: false, parameters: false } },
    })),
  };
}
