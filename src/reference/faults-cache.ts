import type { Fault } from './fault.js';

/** Faults of the stage cache: what is cached, for how long, under which key, and who may refresh it. */
export const CACHE_FAULTS = [
  {
    name: 'cache-invalidation-unauthenticated',
    description:
      'Cache-Control: max-age=0 from any caller refreshes the entry (the authorization is not checked)',
    breaks: [
      'cache.invalidation.unauthorized-403',
      'cache.invalidation.unauthorized-header',
      'cache.invalidation.unauthorized-silent',
      'cache.invalidation.signed-without-permission',
      'cache.invalidation.forged-signature',
    ],
  },
  {
    name: 'cache-key-ignores-param',
    description:
      'the declared cache-key parameters are left out of the key, so every request of a method shares one entry (and a later case never sees its own 500 or 1 MiB answer)',
    breaks: [
      'cache.key.declared-splits',
      'cache.key.value-case-splits',
      'cache.key.name-case-splits',
      'cache.key.long-values-split',
      'cache.key.header-not-query',
      'cache.key.plus-vs-encoded-plus',
      'cache.size.over-1mib',
      'cache.errors.not-cached',
      'cache.errors.client-error-not-cached',
    ],
  },
  {
    name: 'cache-key-whole-query',
    description: 'the whole query string is the cache key, so an undeclared parameter splits entries',
    breaks: ['cache.key.undeclared-shares'],
  },
  {
    name: 'cache-key-includes-authorization',
    description:
      'the Authorization header is part of every cache key, though it is not declared (so a signed invalidation refreshes an entry no one else reads)',
    breaks: [
      'cache.key.shared-across-callers',
      'cache.invalidation.authorized-updates',
      'cache.invalidation.signed-without-permission',
      'cache.invalidation.forged-signature',
    ],
  },
  {
    name: 'cache-ttl-ignored',
    description: 'entries never expire',
    breaks: ['cache.ttl.expires'],
  },
  {
    name: 'cache-ttl-one-second',
    description: 'every entry lives at most one second, whatever its TTL',
    breaks: ['cache.hit.within-ttl', 'cache.ttl.expires', 'cache.ttl.per-method'],
  },
  {
    name: 'cache-method-ttl-stage-wide',
    description: 'the shortest per-method TTL applies to every method that sets none',
    breaks: ['cache.ttl.per-method'],
  },
  {
    name: 'cache-ttl-zero-default',
    description: 'a TTL of 0 is read as unset, so the method is cached for the default 300 s',
    breaks: ['cache.ttl.zero-off'],
  },
  {
    name: 'cache-post-cached',
    description: 'POST is cached like GET',
    breaks: ['cache.method.post-not-cached'],
  },
  {
    name: 'cache-invalidation-ignored',
    description: 'Cache-Control: max-age=0 is never honoured, even from an authorized caller',
    breaks: ['cache.invalidation.authorized-refreshes', 'cache.invalidation.authorized-updates'],
  },
  {
    name: 'cache-invalidation-not-stored',
    description: 'an authorized invalidation fetches a fresh answer but leaves the old entry in the cache',
    breaks: ['cache.invalidation.authorized-updates'],
  },
  {
    name: 'cache-strategy-fail-ignored',
    description: 'FAIL_WITH_403 is treated as SUCCEED_WITH_RESPONSE_HEADER',
    breaks: ['cache.invalidation.unauthorized-403'],
  },
  {
    name: 'cache-invalidation-no-warning',
    description: 'SUCCEED_WITH_RESPONSE_HEADER says nothing in the response',
    breaks: ['cache.invalidation.unauthorized-header'],
  },
  {
    name: 'cache-silent-warns',
    description: 'SUCCEED_WITHOUT_RESPONSE_HEADER adds a warning header after all',
    breaks: ['cache.invalidation.unauthorized-silent'],
  },
  {
    name: 'cache-flush-ignored',
    description: 'a flush of the stage cache is accepted but leaves every entry in place',
    breaks: ['cache.flush.stage'],
  },
  {
    name: 'cache-single-entry',
    description: 'the stage cache keeps one entry: storing a response evicts every other',
    breaks: ['cache.key.entries-side-by-side'],
  },
  {
    name: 'cache-size-limit-ignored',
    description: 'responses over 1 MiB are cached',
    breaks: ['cache.size.over-1mib'],
  },
  {
    name: 'cache-errors-cached',
    description: "the integration's error responses are cached like successes",
    breaks: ['cache.errors.not-cached', 'cache.errors.client-error-not-cached'],
  },
  {
    name: 'cache-key-case-insensitive',
    description:
      'the cache key is lower-cased, so parameter names and values that differ in case share an entry',
    breaks: ['cache.key.value-case-splits', 'cache.key.name-case-splits'],
  },
  {
    name: 'cache-key-values-truncated',
    description: 'cache-key values are cut to their first 64 characters',
    breaks: ['cache.key.long-values-split'],
  },
  {
    name: 'cache-key-param-any-location',
    description:
      'a cache-key parameter missing from the query is looked for in the headers too, as $input.params() does',
    breaks: ['cache.key.header-not-query'],
  },
  {
    name: 'cache-key-plus-not-decoded',
    description:
      'cache-key values are decoded with decodeURIComponent, so "+" (a space) and "%2B" (a plus) share an entry',
    breaks: ['cache.key.plus-vs-encoded-plus'],
  },
  {
    name: 'cache-client-errors-cached',
    description: "the integration's 4XX answers are cached; only 5XX are not",
    breaks: ['cache.errors.client-error-not-cached'],
  },
  {
    name: 'cache-invalidation-any-signature',
    description:
      'any caller with a valid SigV4 signature may invalidate: execute-api:InvalidateCache is not evaluated',
    breaks: ['cache.invalidation.signed-without-permission'],
  },
  {
    name: 'cache-invalidation-signature-unchecked',
    description:
      'the policy of the access key an invalidation names is evaluated, but the signature is never verified',
    breaks: ['cache.invalidation.forged-signature'],
  },
  {
    name: 'cache-no-cache-refreshes',
    description:
      'Cache-Control: no-cache or Pragma: no-cache from any caller refreshes the entry, as in a plain HTTP cache',
    breaks: ['cache.invalidation.unauthorized-no-cache', 'cache.invalidation.unauthorized-pragma'],
  },
  {
    name: 'cache-flush-unauthenticated',
    description: 'the stage cache is flushed by anyone: the flush request is not authenticated',
    breaks: ['cache.flush.unauthorized-refused'],
  },
] as const satisfies readonly Fault[];
