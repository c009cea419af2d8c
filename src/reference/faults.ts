import { UsageError } from '../usage-error.js';
import type { Fault } from './fault.js';
import { CACHE_FAULTS } from './faults-cache.js';
import { CORS_FAULTS } from './faults-cors.js';
import { IDENTITY_FAULTS } from './faults-identity.js';
import { JWT_GATEWAY_FAULTS } from './faults-jwt.js';
import { KEY_AND_PLAN_FAULTS } from './faults-keys-plans.js';
import { PIPELINE_FAULTS } from './faults-pipeline.js';
import { SIGV4_FAULTS } from './faults-sigv4.js';
import { STAGE_FAULTS } from './faults-stages.js';
import { WEBSOCKET_FAULTS } from './faults-websocket.js';
import { JWT_FAULTS } from './jwt-authorizer.js';
import { LAMBDA_AUTHORIZER_FAULTS } from './lambda-authorizer.js';

export type { Fault } from './fault.js';

/**
 * The whole catalog: one list per family, each in its own file beside the code it breaks, so a
 * new family adds a file and a line here.
 */
export const FAULTS = [
  ...KEY_AND_PLAN_FAULTS,
  ...CORS_FAULTS,
  ...CACHE_FAULTS,
  ...SIGV4_FAULTS,
  ...JWT_FAULTS,
  ...JWT_GATEWAY_FAULTS,
  ...LAMBDA_AUTHORIZER_FAULTS,
  ...IDENTITY_FAULTS,
  ...PIPELINE_FAULTS,
  ...WEBSOCKET_FAULTS,
  ...STAGE_FAULTS,
] as const satisfies readonly Fault[];

export type FaultName = (typeof FAULTS)[number]['name'];

/** The fault to run with, or undefined for a faithful gateway; an unknown name is bad usage. */
export function parseFault(name: string | undefined): FaultName | undefined {
  if (name === undefined || name === '') return undefined;
  const fault = FAULTS.find((candidate) => candidate.name === name);
  if (!fault) {
    throw new UsageError(`unknown fault "${name}"; known faults: ${FAULTS.map((f) => f.name).join(', ')}`);
  }
  return fault.name;
}
