import type { Level } from '../results/model.js';
import type { Feature } from '../target/profile-schema.js';

/** What a conformance case declares about itself; carried to the reporter as a test annotation. */
export interface CaseMeta {
  /** Stable across versions and vendors: suite.group.name. */
  id: string;
  /** The promise, stated as a sentence. */
  title: string;
  level: Level;
  /** Features the target must claim for the case to run; otherwise it is a `skip`. */
  features: Feature[];
  /** Links: a section of gateproof's docs (`docs/cases.md#cors`), an RFC, CVE or AWS page (see ref-link.ts). */
  refs: string[];
}

export const CASE_ANNOTATION = 'gateproof-case';
export const EVIDENCE_ATTACHMENT = 'gateproof-evidence';
/** A case's failure recorded by gateCase instead of thrown (see suites/fixtures.ts). */
export const CASE_FAILURE = 'gateproof-failure';

/** Markers in an error message that say whose fault a failure is. */
export const SETUP_FAIL = '[setup_fail]';
export { HARNESS_FAIL } from '../contract/harness-error.js';

/** The case could not be set up (the target lacks what it needs): never the gateway's fault. */
export class SetupFailure extends Error {
  constructor(reason: string) {
    super(`${SETUP_FAIL} ${reason}`);
  }
}
