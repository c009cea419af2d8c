import type { FaultName } from './faults.js';

/** A stage's canary, in API Gateway's own field names (the control plane reads and writes them). */
export interface CanarySettings {
  deploymentId: string;
  /** 0 to 100: the share of the stage's requests the canary serves. */
  percentTraffic: number;
  /** Merged over the stage's variables for canary requests only. */
  stageVariableOverrides: Record<string, string>;
  /** Whether canary requests read and fill the stage's cache, or a cache of their own. */
  useStageCache: boolean;
}

export type Channel = 'stage' | 'canary';

/** Each request is sent to the canary at random with the canary's share, as AWS does. */
export function chooseChannel(
  canary: CanarySettings | undefined,
  fault: FaultName | undefined,
  random: () => number = Math.random,
): Channel {
  if (!canary) return 'stage';
  let percent = canary.percentTraffic;
  if (fault === 'canary-share-doubled') percent *= 2;
  if (fault === 'canary-share-inverted') percent = 100 - percent;
  return random() * 100 < percent ? 'canary' : 'stage';
}

/** The variables a canary request sees: the stage's, with the canary's overrides over them. */
export function canaryVariables(
  stage: Readonly<Record<string, string>>,
  canary: CanarySettings,
): Record<string, string> {
  return { ...stage, ...canary.stageVariableOverrides };
}
