/** Environment variables by which the runner hands a run to the Playwright workers. */
export const ENV = {
  /** A JSON file (mode 0600) holding the resolved target profile, secrets included. */
  targetFile: 'GATEPROOF_TARGET_FILE',
  /** A target profile YAML, for users who run their own suites with `npx playwright test`. */
  profileFile: 'GATEPROOF_TARGET',
  eventsFile: 'GATEPROOF_EVENTS',
  suites: 'GATEPROOF_SUITES',
  outDir: 'GATEPROOF_OUT',
  /** `--quiet`: case lines only for cases that did not pass. */
  quiet: 'GATEPROOF_QUIET',
} as const;
