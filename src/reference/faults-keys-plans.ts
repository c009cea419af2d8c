import type { Fault } from './fault.js';

/** Faults of API keys, usage plans and the gateway's own responses. */
export const KEY_AND_PLAN_FAULTS = [
  {
    name: 'apikey-disabled-accepted',
    description: 'a disabled API key is accepted',
    breaks: ['apikey.reject.disabled'],
  },
  {
    name: 'apikey-any-stage',
    description: "a key's usage plan is not checked for this stage",
    breaks: ['apikey.reject.other-stage', 'stages.plans.stage-membership'],
  },
  {
    name: 'apikey-query-accepted',
    description:
      'a key in the query string (?x-api-key= or ?api_key=) is accepted though the source is HEADER',
    breaks: ['apikey.reject.query-string'],
  },
  {
    name: 'apikey-header-case-sensitive',
    description:
      'only the exact header name x-api-key is recognised, although header names are case-insensitive',
    breaks: ['apikey.accept.header-case'],
  },
  {
    name: 'apikey-empty-accepted',
    description: 'an empty x-api-key header passes as if the method required no key',
    breaks: ['apikey.reject.empty'],
  },
  {
    name: 'apikey-prefix-match',
    description:
      "a presented key is looked up by prefix (a LIKE 'value%' index scan), so a key missing its last characters is accepted",
    breaks: ['apikey.reject.truncated'],
  },
  {
    name: 'apikey-compared-truncated',
    description: 'keys are compared on their first 32 characters only (a column narrower than the keys)',
    breaks: ['apikey.reject.truncated', 'apikey.reject.extended', 'apikey.reject.last-char-changed'],
  },
  {
    name: 'apikey-case-insensitive',
    description: 'keys are compared without regard to letter case',
    breaks: ['apikey.reject.case-swapped', 'quota.accounting.rejected-free'],
  },
  {
    name: 'apikey-url-decoded',
    description: 'the x-api-key value is percent-decoded before it is looked up',
    breaks: ['apikey.reject.percent-encoded'],
  },
  {
    name: 'apikey-trimmed',
    description:
      "the x-api-key value is trimmed with the language's trim(), which also strips no-break spaces",
    breaks: ['apikey.reject.nbsp-padded'],
  },
  {
    name: 'apikey-last-of-repeated',
    description: 'of repeated x-api-key headers the last one is used, the others ignored',
    breaks: ['apikey.reject.repeated-unknown-first'],
  },
  {
    name: 'apikey-any-of-repeated',
    description:
      'repeated x-api-key headers are read as a list, and the request admitted if any item is a key',
    breaks: ['apikey.reject.repeated-unknown-first'],
  },
  {
    name: 'apikey-alternate-headers',
    description: 'without x-api-key, the key is also read from the apikey, x-apikey or api-key header',
    breaks: ['apikey.reject.other-header'],
  },
  {
    name: 'quota-off-by-one',
    description: 'the quota admits limit + 1 requests',
    breaks: [
      'quota.exhaust.limit-then-429',
      'quota.exhaust.limit-exceeded-body',
      'quota.exhaust.stays-exhausted',
      'quota.isolation.other-key',
      'quota.accounting.across-methods',
      'quota.accounting.errors-count',
      'quota.concurrency.burst',
    ],
  },
  {
    name: 'quota-per-method',
    description:
      "the quota is counted per method, so a key's requests on two methods each get the whole quota",
    breaks: ['quota.accounting.across-methods'],
  },
  {
    name: 'quota-refunded-on-error',
    description:
      'a request the integration answers with an error is refunded, so failing requests never use quota',
    breaks: ['quota.accounting.errors-count'],
  },
  {
    name: 'quota-shared-across-keys',
    description: 'the quota counter is kept per usage plan, not per key',
    breaks: ['quota.isolation.other-key'],
  },
  {
    name: 'quota-throttle-body',
    description: 'quota exhaustion is answered with the throttle response (429 Too Many Requests)',
    breaks: ['quota.exhaust.limit-exceeded-body'],
  },
  {
    name: 'quota-charged-before-auth',
    description:
      'the quota is charged before the key is validated, looked up by the lower-cased key, so a wrongly-cased copy of a key (rejected 403) uses up its quota',
    breaks: ['quota.accounting.rejected-free'],
  },
  {
    name: 'quota-open-route-charged',
    description: 'a method that requires no key still charges the quota of a key presented on it',
    breaks: ['quota.accounting.open-route-free'],
  },
  {
    name: 'request-id-missing',
    description: 'gateway-made errors carry no x-amzn-RequestId',
    breaks: ['apikey.response.request-id'],
  },
  {
    name: 'apikey-missing-accepted',
    description: 'a keyed method admits a request that sends no key at all (the key treated as optional)',
    breaks: ['apikey.reject.missing', 'apikey.reject.query-string', 'apikey.reject.other-header'],
  },
  {
    name: 'apikey-unknown-accepted',
    description: 'any non-empty key value is admitted without being looked up',
    breaks: [
      'apikey.reject.unknown',
      'apikey.reject.truncated',
      'apikey.reject.extended',
      'apikey.reject.last-char-changed',
      'apikey.reject.case-swapped',
      'apikey.reject.percent-encoded',
      'apikey.reject.nbsp-padded',
      'apikey.reject.repeated-unknown-first',
      'apikey.response.error-type',
      'quota.accounting.rejected-free',
    ],
  },
  {
    name: 'open-route-requires-key',
    description: 'a method without apiKeyRequired still demands a key',
    breaks: ['apikey.accept.open-route'],
  },
  {
    name: 'error-type-missing',
    description: 'gateway responses carry no x-amzn-ErrorType header',
    breaks: ['apikey.response.error-type', 'quota.exhaust.limit-exceeded-body'],
  },
  {
    name: 'integration-duplicate-get',
    description: 'the integration is called twice for every GET (a retry on an idempotent method)',
    breaks: [
      'apikey.accept.valid',
      'apikey.accept.header-case',
      'apikey.accept.open-route',
      'quota.exhaust.limit-then-429',
      'quota.exhaust.stays-exhausted',
      'quota.accounting.across-methods',
      'quota.concurrency.burst',
      'sigv4.accept.get',
      'sigv4.session.accepted',
      'sigv4.presigned.accepted',
      'jwt.accept.valid',
      'authorizer.accept.allow',
    ],
  },
  {
    name: 'throttle-burst-doubled',
    description: 'every token bucket holds twice its declared burst',
    breaks: [],
    scenarios: ['throttle-steady', 'throttle-burst'],
  },
  {
    name: 'throttle-rate-doubled',
    description: 'every token bucket refills at twice its declared rate',
    breaks: [],
    // throttle-isolation's flood then never exceeds the rate: its isolation is not tested (incomplete), not broken.
    scenarios: ['throttle-steady', 'throttle-burst'],
  },
] as const satisfies readonly Fault[];
