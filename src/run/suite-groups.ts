/**
 * Suites that share state of the gateway beyond what a case's nonce isolates, so they must run
 * one after another: the reference authorizer function numbers its calls across the whole gateway
 * (the authorizer suite proves a refused request calls it exactly once by two consecutive numbers),
 * and the cors suite calls it for gateway-made errors. Every other suite keeps to its own keys,
 * paths, nonces and fresh quota keys (claimed on disk), and the default plan's throttle is far
 * above what the suites send together.
 */
const SHARED_STATE: readonly (readonly string[])[] = [['authorizer', 'cors']];

/**
 * The built-in suites as groups, each a Playwright project: suites that share state together,
 * every other suite alone, so free workers take whichever group is next. A user's spec files are
 * projects of their own (see playwright.config.ts).
 */
export function suiteGroups(suites: readonly string[]): string[][] {
  const groups: string[][] = [];
  for (const shared of SHARED_STATE) {
    const present = shared.filter((s) => suites.includes(s));
    if (present.length > 0) groups.push(present);
  }
  const grouped = new Set(groups.flat());
  return [...groups, ...suites.filter((s) => !grouped.has(s)).map((s) => [s])];
}
