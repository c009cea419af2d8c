/** Marks an error message as provably not the gateway's doing (see caseStatus). */
export const HARNESS_FAIL = '[harness_fail]';

/**
 * A component of the harness (the probe's counters, an issuer's mint API) answered outside its
 * protocol, or not at all. Read directly, never through the gateway, so whatever it did is not
 * the gateway's failure: the case is a `harness_fail`.
 */
export class HarnessError extends Error {
  override name = 'HarnessError';
  constructor(reason: string) {
    super(`${HARNESS_FAIL} ${reason}`);
  }
}
