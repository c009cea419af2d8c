import type { CaseResult } from './model.js';

/** Cases by suite, suites in the order they first appear, cases in run order within each. */
export function casesBySuite(cases: readonly CaseResult[]): Map<string, CaseResult[]> {
  const suites = new Map<string, CaseResult[]>();
  for (const c of cases) {
    const list = suites.get(c.suite);
    if (list) list.push(c);
    else suites.set(c.suite, [c]);
  }
  return suites;
}
