import type { Level, Status } from '../results/model.js';
import { HARNESS_FAIL, SETUP_FAIL } from './case-meta.js';

/**
 * Maps a Playwright outcome to a gateproof status. Only a `core` case can fail the verdict; a
 * failed `extended` or `check` case is reported as `optional_fail`; setup and harness failures
 * are never the gateway's fault.
 */
export function caseStatus(outcome: string, level: Level, errorMessage: string | undefined): Status {
  if (outcome === 'passed') return 'pass';
  if (outcome === 'skipped') return 'skip';
  if (errorMessage?.includes(SETUP_FAIL)) return 'setup_fail';
  if (errorMessage?.includes(HARNESS_FAIL) || outcome === 'interrupted') return 'harness_fail';
  return level === 'core' ? 'fail' : 'optional_fail';
}
