/**
 * Suites that share state of the gateway beyond what a case's nonce isolates, so they must run
 * one after another: the reference authorizer function numbers its calls across the whole gateway
 * (the authorizer suite proves a refused request calls it exactly once by two consecutive numbers),
 * and the cors suite calls it for gateway-made errors. The stages and canary suites both deploy
 * to, patch and put back the same two stages of the release API. Every other suite keeps to its own keys,
 * paths, nonces and fresh quota keys (claimed on disk), and the default plan's throttle is far
 * above what the suites send together.
 */
const SHARED_STATE: readonly (readonly string[])[] = [
  ['authorizer', 'cors'],
  ['stages', 'canary'],
];

/** Built-in suites run as one Playwright project: `oneAtATime`, their files in one worker in turn. */
export interface SuiteGroup {
  suites: string[];
  oneAtATime: boolean;
}

/**
 * The built-in suites as projects: each set that shares state, its files one at a time; every
 * other suite in one project whose files free workers take as they come. Few projects, since each
 * starts a worker process of its own. A user's spec files are projects of their own (see
 * playwright.config.ts).
 */
export function suiteGroups(suites: readonly string[]): SuiteGroup[] {
  const groups: SuiteGroup[] = [];
  for (const shared of SHARED_STATE) {
    const present = shared.filter((s) => suites.includes(s));
    if (present.length > 0) groups.push({ suites: present, oneAtATime: true });
  }
  const grouped = new Set(groups.flatMap((g) => g.suites));
  const independent = suites.filter((s) => !grouped.has(s));
  return independent.length > 0 ? [...groups, { suites: independent, oneAtATime: false }] : groups;
}
