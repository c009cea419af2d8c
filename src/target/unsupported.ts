/**
 * Parts of a claimed feature that a gateway may declare it does not offer (`unsupported:` in the
 * profile): the cases that need one are `skip` with the reason, rather than `setup_fail` for
 * want of a key or an origin the gateway cannot have. One table, by case id, so a suite's cases
 * need not know about it.
 */
export const UNSUPPORTED = {
  'other-stages': {
    reason: 'the gateway has one stage only, so no key can belong to another stage',
    cases: /^apikey\.reject\.other-stage/,
  },
  'wildcard-origins': {
    reason: 'the gateway takes no wildcard origins such as https://*.example.com',
    cases: /^cors\.origin\.wildcard-/,
  },
  'authorizer-cache': {
    reason: "the gateway does not cache its authorizer's answers",
    cases: /^authorizer\.cache\./,
  },
} as const satisfies Record<string, { reason: string; cases: RegExp }>;

export type Unsupported = keyof typeof UNSUPPORTED;
export const UNSUPPORTED_NAMES = Object.keys(UNSUPPORTED) as [Unsupported, ...Unsupported[]];

/** Why the case is skipped on this target, or undefined when nothing it needs is declared unsupported. */
export function unsupportedReason(declared: readonly Unsupported[], caseId: string): string | undefined {
  const hit = declared.find((name) => UNSUPPORTED[name].cases.test(caseId));
  return hit && `declared unsupported (${hit}): ${UNSUPPORTED[hit].reason}`;
}
