/**
 * What a case must see the gateway do before its own assertion means anything: that it cached the
 * first answer before a miss is asserted, that its authorizer's context reached the integration
 * before calls are counted. When the gateway's answer does not show it, the case fails with that
 * answer (already recorded) as its evidence. A premise the gateway broke or never showed is not a
 * pass, and not a setup_fail either: setup_fail is kept for what is provably not the gateway's
 * doing (a missing profile field, the harness, the tool).
 */
export function expectPremise(shown: boolean, premise: string, observed: string): asserts shown {
  if (!shown) throw new Error(`premise not observed: ${premise}; the gateway answered: ${observed}`);
}
