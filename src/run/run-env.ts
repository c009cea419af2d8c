import type { SuiteGroup } from './suite-groups.js';

/** Environment variables by which the runner hands a run to the Playwright workers. */
export const ENV = {
  /** A target profile YAML, for users who run their own suites with `npx playwright test`. */
  profileFile: 'GATEPROOF_TARGET',
  /** A JSON array of SuiteTarget: every target of the session and what runs against it. */
  targets: 'GATEPROOF_TARGETS',
  /** Playwright's workers for the whole session. */
  workers: 'GATEPROOF_WORKERS',
  /** Playwright's timeout of one case, derived from the target's timeoutMs. */
  caseTimeoutMs: 'GATEPROOF_CASE_TIMEOUT_MS',
  /** `--quiet`: case lines only for cases that did not pass. */
  quiet: 'GATEPROOF_QUIET',
} as const;

/**
 * One target of a Playwright session: where the workers fetch its resolved profile, where its
 * events go, and the suites run against it, in groups (see suite-groups.ts), each a project.
 */
export interface SuiteTarget {
  name: string;
  /** A unix socket in the run's private directory that answers the resolved target profile, secrets included. */
  targetSocket: string;
  eventsFile: string;
  outDir: string;
  groups: SuiteGroup[];
  /** Absolute paths of a user's spec files and folders (`--suites ./mine.spec.ts`). */
  specs: string[];
}

/** What a project of the session carries in its metadata, read by the fixtures and the reporter. */
export interface ProjectTarget {
  targetSocket: string;
  eventsFile: string;
}

/** The gateproof target of a project, or undefined when Playwright runs outside `gateproof run`. */
export function projectTarget(project: { metadata?: Record<string, unknown> }): ProjectTarget | undefined {
  const target = project.metadata?.gateproof as ProjectTarget | undefined;
  return target?.targetSocket && target.eventsFile ? target : undefined;
}
