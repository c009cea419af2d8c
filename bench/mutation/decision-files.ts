/**
 * The reference gateway's decision code and what proves it: the suites whose cases go through each
 * file. Load scenarios are not run: their latency thresholds do not hold on a shared machine, so
 * their verdicts would kill mutants by chance. Plumbing (config, pipeline, proxy, server, stack, clock, the WebSocket server's framing) is left out: a mutant there breaks every
 * request at once and says nothing about the suites.
 */
export interface DecisionFile {
  file: string;
  suites: readonly string[];
}

const ALL = ['apikey', 'authorizer', 'cache', 'cors', 'jwt', 'quota', 'sigv4'] as const;
const KEYS = ['apikey', 'quota'] as const;
const PIPELINE = ['validation', 'transform', 'responses'] as const;

export const DECISION_FILES: readonly DecisionFile[] = [
  { file: 'api-keys.ts', suites: KEYS },
  { file: 'usage-plans.ts', suites: KEYS },
  { file: 'quota.ts', suites: ['quota'] },
  { file: 'token-bucket.ts', suites: KEYS },
  { file: 'sigv4-verifier.ts', suites: ['sigv4'] },
  { file: 'sigv4-canonical.ts', suites: ['sigv4'] },
  { file: 'iam-policy.ts', suites: ['sigv4'] },
  { file: 'iam-authorization.ts', suites: ['sigv4'] },
  { file: 'jwt-authorizer.ts', suites: ['jwt'] },
  { file: 'jwt-authorization.ts', suites: ['jwt'] },
  { file: 'lambda-authorizer.ts', suites: ['authorizer'] },
  { file: 'lambda-authorizer-cache.ts', suites: ['authorizer'] },
  { file: 'lambda-authorization.ts', suites: ['authorizer'] },
  { file: 'lambda-authorizer-result.ts', suites: ['authorizer'] },
  { file: 'cors-policy.ts', suites: ['cors'] },
  { file: 'cors.ts', suites: ['cors'] },
  { file: 'stage-cache.ts', suites: ['cache'] },
  { file: 'cache-authority.ts', suites: ['cache'] },
  { file: 'cache-step.ts', suites: ['cache'] },
  { file: 'identity-headers.ts', suites: ALL },
  { file: 'gateway-responses.ts', suites: ALL },
  { file: 'router.ts', suites: ALL },
  { file: 'method-request.ts', suites: PIPELINE },
  { file: 'request-validation.ts', suites: ['validation'] },
  { file: 'mapping-template.ts', suites: ['transform'] },
  { file: 'template-context.ts', suites: ['transform'] },
  { file: 'http-integration.ts', suites: PIPELINE },
  { file: 'gateway-response-settings.ts', suites: ['responses'] },
  { file: 'tracing.ts', suites: ['responses'] },
  { file: 'websocket-connect.ts', suites: ['websocket'] },
  { file: 'websocket-route.ts', suites: ['websocket'] },
  { file: 'websocket-management.ts', suites: ['websocket'] },
  { file: 'websocket-integration.ts', suites: ['websocket'] },
  { file: 'websocket-iam-connect.ts', suites: ['websocket'] },
  { file: 'websocket-frame-limit.ts', suites: ['websocket'] },
];

/** One run's selection: the same suites run once as the baseline, then per mutant. */
export function groupKey(file: DecisionFile): string {
  return file.suites.join(',');
}
