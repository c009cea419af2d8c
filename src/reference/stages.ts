import { UsageError } from '../usage-error.js';
import type { ApiModel } from './api-model.js';
import { CacheAuthority } from './cache-authority.js';
import type { CacheConfigInput } from './cache-config.js';
import { type CanarySettings, type Channel, canaryVariables, chooseChannel } from './canary.js';
import type { Clock } from './clock.js';
import { type GatewayConfig, type GatewayConfigInput, parseGatewayConfig } from './config.js';
import type { ReleaseApi } from './deployments.js';
import type { FaultName } from './faults.js';
import { gatewayResponse } from './gateway-responses.js';
import { buildPipeline, compose, type Reply, type RequestContext } from './pipeline.js';
import { createRuntime, type GatewayRuntime } from './runtime.js';
import { StageCache } from './stage-cache.js';
import { UsagePlans } from './usage-plans.js';

/** A stage as the control plane shows it (GetStage), in API Gateway's field names. */
export interface StageState {
  stageName: string;
  deploymentId: string;
  variables: Record<string, string>;
  canarySettings?: CanarySettings;
  cacheClusterEnabled: boolean;
  /** Seconds since the epoch, as the control plane answers them. */
  createdDate: number;
  lastUpdatedDate: number;
}

export interface StageDefinition {
  name: string;
  variables: Record<string, string>;
  /** The stage cache's settings; a stage without one has no cache cluster. */
  cache?: CacheConfigInput;
}

/** What every stage's runtime is built from besides its own variables: keys, plans, the account. */
export type SharedConfig = Omit<GatewayConfigInput, 'stage' | 'cache'>;

interface Served {
  key: string;
  gw: GatewayRuntime;
  run: (ctx: RequestContext) => Promise<Reply>;
}

type StageCacheParts = NonNullable<GatewayRuntime['cache']>;

/**
 * The stages of one API, each serving a deployment with its own variables, cache and canary. A
 * request is served by a runtime built for its stage and channel from the deployment's snapshot,
 * rebuilt only when the control plane changes what it is built from; plans are the API's, shared
 * by every stage (a usage plan names the stages it covers).
 */
export class ReleaseStages {
  private readonly states = new Map<string, StageState>();
  private readonly caches = new Map<string, StageCacheParts | undefined>();
  private readonly canaryCaches = new Map<string, StageCacheParts>();
  private readonly served = new Map<string, Served>();
  /** Under a fault, the integration a stage keeps serving after a rollback (see faults-stages.ts). */
  private readonly keptModel = new Map<string, { id: string; model: ApiModel }>();
  private rebuilt = 0;
  private readonly all: Served[] = [];
  /** Each stage's variables when its deployment last changed (only a fault serves these). */
  private readonly deployedVariables = new Map<string, Record<string, string>>();
  private readonly plans: UsagePlans;
  private readonly config: GatewayConfig;

  constructor(
    readonly api: ReleaseApi,
    definitions: readonly StageDefinition[],
    private readonly shared: SharedConfig,
    private readonly clock: Clock,
    readonly fault: FaultName | undefined,
  ) {
    this.config = parseGatewayConfig({ ...shared, stage: { name: 'config', variables: {} } });
    this.plans = new UsagePlans(this.config.usagePlans, clock.now(), fault);
    const now = clock.now();
    for (const definition of definitions) {
      const deployment = api.deploy(`initial deployment of ${definition.name}`, now);
      this.states.set(definition.name, {
        stageName: definition.name,
        deploymentId: deployment.id,
        variables: { ...definition.variables },
        cacheClusterEnabled: definition.cache !== undefined,
        createdDate: Math.floor(now / 1000),
        lastUpdatedDate: Math.floor(now / 1000),
      });
      this.caches.set(
        definition.name,
        definition.cache && this.cacheParts(definition.name, definition.cache),
      );
    }
    // The fault: one cache cluster for every stage, the first stage's.
    if (fault === 'stage-cache-shared') {
      const first = [...this.caches.values()].find(Boolean);
      for (const name of this.caches.keys()) this.caches.set(name, first);
    }
    for (const state of this.states.values()) this.check(state);
  }

  names(): string[] {
    return [...this.states.keys()];
  }

  get(name: string): StageState | undefined {
    const state = this.states.get(name);
    return state && structuredClone(state);
  }

  /**
   * Replaces a stage's state as a whole, after checking that it can be served (its deployments
   * exist, its integration URIs resolve), so a refused change leaves the stage as it was.
   */
  set(next: StageState, options: { rollback?: boolean } = {}): void {
    const previous = this.states.get(next.stageName);
    if (!previous) throw new UsageError(`no stage ${next.stageName}`);
    this.check(next);
    if (previous.canarySettings && !next.canarySettings) this.canaryCaches.get(next.stageName)?.store.flush();
    if (options.rollback && this.fault === 'rollback-keeps-integration') {
      // The fault: a rollback rebuilds the stage from the API as it is now, not from the snapshot.
      this.keptModel.set(next.stageName, { id: `rebuilt-${++this.rebuilt}`, model: this.api.draft });
    } else if (previous.deploymentId !== next.deploymentId) {
      this.keptModel.delete(next.stageName);
    }
    if (previous.deploymentId !== next.deploymentId)
      this.deployedVariables.set(next.stageName, { ...next.variables });
    this.states.set(next.stageName, {
      ...structuredClone(next),
      lastUpdatedDate: Math.floor(this.clock.now() / 1000),
    });
    // Under the fault, the stage that changed last builds the runtime its deployment shares.
    if (this.fault === 'stage-variables-by-deployment')
      this.served.delete(JSON.stringify(['stage', next.deploymentId]));
  }

  /** The data plane: `/{stage}/...` to that stage, at random to its canary; anything else is no method. */
  serve(ctx: RequestContext): Promise<Reply> | Reply {
    const name = ctx.path.split('/')[1] ?? '';
    const state = this.states.get(name);
    if (!state) return gatewayResponse('MISSING_AUTHENTICATION_TOKEN');
    const channel = chooseChannel(state.canarySettings, this.fault);
    return this.runtime(state, channel).run(ctx);
  }

  private check(state: StageState): void {
    this.runtime(state, 'stage');
    if (state.canarySettings) this.runtime(state, 'canary');
  }

  private runtime(state: StageState, channel: Channel): Served {
    const canary = channel === 'canary' ? state.canarySettings : undefined;
    const deploymentId = canary?.deploymentId ?? state.deploymentId;
    // The fault: a stage's variables are read when it is deployed, so a change waits for a deployment.
    const own =
      this.fault === 'stage-variables-frozen-at-deploy'
        ? (this.deployedVariables.get(state.stageName) ?? state.variables)
        : state.variables;
    let variables = canary ? canaryVariables(state.variables, canary) : own;
    // The fault: the canary's overrides reach the stage's own requests as well.
    if (!canary && state.canarySettings && this.fault === 'canary-overrides-everywhere')
      variables = canaryVariables(state.variables, state.canarySettings);
    const kept = canary ? undefined : this.keptModel.get(state.stageName);
    const modelId = kept?.id ?? deploymentId;
    const deployment = this.api.deployment(deploymentId);
    if (!deployment) throw new UsageError(`Invalid deployment identifier specified: ${deploymentId}`);
    const useStageCache =
      !canary ||
      (this.fault === 'canary-use-stage-cache-inverted' ? !canary.useStageCache : canary.useStageCache);
    const cache = useStageCache ? this.caches.get(state.stageName) : this.canaryCache(state.stageName);
    // The fault: runtimes are looked up by deployment alone, so a stage serving another stage's
    // deployment gets that stage's variables.
    let key =
      this.fault === 'stage-variables-by-deployment' && !canary
        ? JSON.stringify(['stage', deploymentId])
        : JSON.stringify([state.stageName, channel, deploymentId, modelId, variables, useStageCache]);
    // The fault: mapping templates see the first stage's variables, whichever stage serves.
    const templateVariables =
      this.fault === 'template-variables-of-first-stage'
        ? this.states.values().next().value!.variables
        : undefined;
    if (templateVariables) key = JSON.stringify([key, templateVariables]);
    const known = this.served.get(key);
    if (known) return known;
    let config: GatewayConfig;
    try {
      config = parseGatewayConfig({ ...this.shared, stage: { name: state.stageName, variables } });
    } catch (err) {
      throw new UsageError((err as Error).message.replace(/^reference gateway config: /, ''));
    }
    const built = createRuntime(config, this.clock, this.fault, {
      model: kept?.model ?? deployment.model,
      deploymentId,
      plans: this.plans,
      cache,
    });
    const gw = templateVariables ? { ...built, stageVariables: templateVariables } : built;
    const served = { key, gw, run: compose(buildPipeline(gw)) };
    this.served.set(key, served);
    this.all.push(served);
    return served;
  }

  private canaryCache(stage: string): StageCacheParts | undefined {
    const stageCache = this.caches.get(stage);
    if (!stageCache) return undefined;
    let own = this.canaryCaches.get(stage);
    if (!own) {
      own = this.cacheParts(stage, stageCache.store.config);
      this.canaryCaches.set(stage, own);
    }
    return own;
  }

  private cacheParts(stage: string, cache: CacheConfigInput): StageCacheParts {
    const config = parseGatewayConfig({ ...this.shared, stage: { name: stage, variables: {} }, cache });
    return {
      store: new StageCache(config.cache!, this.fault),
      authority: new CacheAuthority(config, stage, this.clock, this.fault),
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map((s) => s.gw.proxy.close()));
  }
}
