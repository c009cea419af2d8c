/** Environment variables by which the runner hands a run to the Playwright workers. */
export const ENV = {
  /** A unix socket in the run's private directory that answers the resolved target profile, secrets included. */
  targetSocket: 'GATEPROOF_TARGET_SOCKET',
  /** A target profile YAML, for users who run their own suites with `npx playwright test`. */
  profileFile: 'GATEPROOF_TARGET',
  eventsFile: 'GATEPROOF_EVENTS',
  suites: 'GATEPROOF_SUITES',
  /** A JSON array of absolute paths: a user's spec files and folders (`--suites ./mine.spec.ts`). */
  specs: 'GATEPROOF_SPECS',
  outDir: 'GATEPROOF_OUT',
  /** Playwright's timeout of one case, derived from the target's timeoutMs. */
  caseTimeoutMs: 'GATEPROOF_CASE_TIMEOUT_MS',
  /** `--quiet`: case lines only for cases that did not pass. */
  quiet: 'GATEPROOF_QUIET',
} as const;
