import type { Fault } from './fault.js';

/**
 * Faults of the release machinery: stages, deployments and canaries (see stages.ts,
 * control-plane.ts, stage-patch.ts, canary.ts). Each is a mistake a gateway or a hand-rolled
 * release tool can make, caught at the probe by the cases named.
 */
export const STAGE_FAULTS = [
  {
    name: 'canary-share-doubled',
    description: 'the canary serves twice its percentTraffic (a share read as a fraction of 50)',
    breaks: ['canary.split.share-as-declared'],
    scenarios: ['canary-split'],
  },
  {
    name: 'canary-share-inverted',
    description: "percentTraffic is taken as the stage's share, so the canary serves 100 - p %",
    breaks: [
      'canary.split.zero-percent',
      'canary.split.hundred-percent',
      'canary.remove.back-to-stage',
      'canary.cache.stage-cache-shared',
      'canary.patch.percent-refused.over-100',
      'canary.patch.percent-refused.negative',
      'canary.patch.percent-refused.not-a-number',
    ],
  },
  {
    name: 'canary-overrides-everywhere',
    description: "the canary's stageVariableOverrides are applied to the stage's own requests too",
    breaks: ['canary.overrides.only-canary-requests'],
  },
  {
    name: 'canary-remove-ignored',
    description: 'remove /canarySettings is accepted and ignored, so a promotion leaves the split on',
    breaks: ['canary.promote.split-removed', 'canary.remove.back-to-stage'],
  },
  {
    name: 'canary-use-stage-cache-inverted',
    description: 'useStageCache is read the wrong way round',
    breaks: ['canary.cache.stage-cache-shared', 'canary.cache.own-cache'],
  },
  {
    name: 'canary-percent-unchecked',
    description: 'a percentTraffic outside 0 to 100, or not a number, is stored as given',
    breaks: [
      'canary.patch.percent-refused.over-100',
      'canary.patch.percent-refused.negative',
      'canary.patch.percent-refused.not-a-number',
    ],
  },
  {
    name: 'rollback-keeps-integration',
    description:
      'a rollback (replace /deploymentId) reports the earlier deployment but rebuilds the stage from the API as it is now, so the newer integration stays',
    breaks: ['stages.deployment.rollback-restores'],
  },
  {
    name: 'deployment-to-every-stage',
    description: 'a deployment to one stage is deployed to every stage',
    breaks: ['stages.deployment.only-where-deployed'],
  },
  {
    name: 'draft-served-live',
    description: 'an edit of the API is served at once on every stage, without a deployment',
    breaks: ['stages.deployment.draft-not-live', 'stages.deployment.only-where-deployed'],
  },
  {
    name: 'stage-variables-by-deployment',
    description:
      "runtimes are shared by deployment, so a stage serving another stage's deployment gets that stage's variables",
    breaks: ['stages.variables.shared-deployment-own-variables'],
  },
  {
    name: 'stage-variables-frozen-at-deploy',
    description:
      "a stage's variables are read when it is deployed, so a change waits for the next deployment",
    breaks: [
      'stages.variables.reach-integration',
      'stages.variables.other-stage-never',
      'stages.variables.mapping-template',
      'stages.variables.shared-deployment-own-variables',
      'canary.promote.split-removed',
    ],
  },
  {
    name: 'template-variables-of-first-stage',
    description: "mapping templates see the first stage's variables, whichever stage serves the request",
    breaks: ['stages.variables.mapping-template'],
  },
  {
    name: 'promotion-variables-not-copied',
    description: "promotion copies the canary's deployment into the stage but not its variable overrides",
    breaks: ['canary.promote.canary-becomes-stage'],
  },
  {
    name: 'stage-cache-shared',
    description: "every stage reads and fills the first stage's cache",
    breaks: ['stages.cache.per-stage'],
  },
  {
    name: 'stage-throttle-every-stage',
    description: "a stage's method throttle in a usage plan is applied on every stage of the plan",
    breaks: ['stages.throttle.per-stage'],
  },
  {
    name: 'control-plane-unsigned',
    description: 'the control plane accepts requests without a SigV4 signature',
    breaks: ['stages.control.unsigned-refused'],
  },
  {
    name: 'stage-patch-partial',
    description: 'UpdateStage applies its operations one by one, keeping those before a refused one',
    breaks: ['stages.control.patch-atomic'],
  },
] as const satisfies readonly Fault[];
