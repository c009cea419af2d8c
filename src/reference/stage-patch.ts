import type { CanarySettings } from './canary.js';
import type { FaultName } from './faults.js';
import type { StageState } from './stages.js';

/** One JSON patch operation of UpdateStage, as API Gateway takes them. */
export interface PatchOperation {
  op: string;
  path: string;
  value?: string;
  from?: string;
}

/** A patch API Gateway would refuse: 400 BadRequestException with this message. */
export class PatchError extends Error {}

/**
 * Applies one UpdateStage operation to a copy of the stage: deployment (a rollback is a replace of
 * `/deploymentId`), variables, and canary settings, promotion being copies from the canary into
 * the stage. Values arrive as strings, as on the wire; `rollback` says the stage's deployment was
 * replaced by hand rather than promoted.
 */
export function applyStageOperation(
  state: StageState,
  operation: PatchOperation,
  fault: FaultName | undefined,
): { state: StageState; rollback: boolean } {
  const next = structuredClone(state);
  const { op, path, value, from } = operation;
  const segments = path.split('/').slice(1).map(unescapePointer);
  const [head, field, name] = segments;
  const fail = (why: string): never => {
    throw new PatchError(`Invalid patch path '${path}' specified for op '${op}'. ${why}`.trim());
  };
  const need = (): string => {
    if (typeof value !== 'string')
      throw new PatchError(`Invalid patch operation: op '${op}' on '${path}' needs a value`);
    return value;
  };
  const canary = (): CanarySettings => next.canarySettings ?? fail('The stage has no canary settings.');

  if (op === 'copy') {
    if (path === '/deploymentId' && from === '/canarySettings/deploymentId') {
      next.deploymentId = canary().deploymentId;
      return { state: next, rollback: false };
    }
    if (path === '/variables' && from === '/canarySettings/stageVariableOverrides') {
      const overrides = canary().stageVariableOverrides;
      // The fault: promotion copies the deployment and forgets the canary's variables.
      if (fault !== 'promotion-variables-not-copied') next.variables = { ...next.variables, ...overrides };
      return { state: next, rollback: false };
    }
    return fail(`Copying from '${from}' is not supported.`);
  }
  if (path === '/deploymentId' && op === 'replace') {
    next.deploymentId = need();
    return { state: next, rollback: true };
  }
  if (head === 'variables' && field !== undefined && segments.length === 2) {
    if (op === 'remove') delete next.variables[field];
    else if (op === 'replace' || op === 'add') next.variables[field] = need();
    else fail('');
    return { state: next, rollback: false };
  }
  if (path === '/canarySettings' && op === 'remove') {
    // The fault: the canary is never taken off, so a promotion leaves the split on.
    if (fault !== 'canary-remove-ignored') delete next.canarySettings;
    return { state: next, rollback: false };
  }
  if (head !== 'canarySettings') return fail('');
  const settings = canary();
  if (field === 'stageVariableOverrides' && name !== undefined && segments.length === 3) {
    if (op === 'remove') delete settings.stageVariableOverrides[name];
    else if (op === 'replace' || op === 'add') settings.stageVariableOverrides[name] = need();
    else fail('');
    return { state: next, rollback: false };
  }
  if (op !== 'replace' || segments.length !== 2) return fail('');
  if (field === 'percentTraffic') settings.percentTraffic = percent(need(), fault);
  else if (field === 'deploymentId') settings.deploymentId = need();
  else if (field === 'useStageCache') settings.useStageCache = bool(need());
  else fail('');
  return { state: next, rollback: false };
}

/** A share of traffic: a number from 0 to 100 (API Gateway's `percentTraffic` is a double). */
export function percent(raw: string | number, fault?: FaultName): number {
  const value = typeof raw === 'number' ? raw : raw.trim() === '' ? Number.NaN : Number(raw);
  if (fault === 'canary-percent-unchecked') return value;
  if (!Number.isFinite(value) || value < 0 || value > 100)
    throw new PatchError(`Invalid percentTraffic '${raw}': must be a number from 0.0 to 100.0`);
  return value;
}

function bool(raw: string): boolean {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new PatchError(`Invalid useStageCache '${raw}': must be true or false`);
}

/** JSON pointer escapes: `~1` is `/`, `~0` is `~`. */
function unescapePointer(segment: string): string {
  return segment.replaceAll('~1', '/').replaceAll('~0', '~');
}
