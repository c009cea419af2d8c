/**
 * Surviving mutants shown to be equivalent: no request a client can send tells them from the
 * original. Each is matched by `mutantKey` (file, mutator, original → replacement), so a line
 * moving elsewhere in its file does not lose it. The README's "Mutation score" lists them.
 */
export interface Equivalent {
  key: string;
  reason: string;
}

export const EQUIVALENTS: readonly Equivalent[] = [];
