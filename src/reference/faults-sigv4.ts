import type { Fault } from './fault.js';
import type { SigV4Relaxations } from './sigv4-verifier.js';

/** Faults of IAM authorization (SigV4): each a check a real verifier has been found to skip. */
export const SIGV4_FAULTS = [
  {
    name: 'sigv4-unsigned-body',
    description:
      'the payload hash is taken from x-amz-content-sha256 as sent instead of being computed, so the body is not really signed',
    breaks: ['sigv4.tamper.body', 'sigv4.response.payload-hash'],
  },
  {
    name: 'sigv4-body-hash-empty',
    description: 'the signature is checked before the body is read, as if every body were empty',
    breaks: ['sigv4.accept.post-body'],
  },
  {
    name: 'sigv4-no-expiry',
    description: 'the signing time is not checked: any old (or future) signature is accepted',
    breaks: [
      'sigv4.skew.expired',
      'sigv4.skew.future',
      'sigv4.skew.just-expired',
      'sigv4.skew.just-future',
      'sigv4.replay.aws-vector',
      'sigv4.presigned.expired',
      'sigv4.presigned.just-expired',
      'sigv4.presigned.expires-fractional',
      'sigv4.response.expired',
      'sigv4.response.not-yet-current',
    ],
  },
  {
    name: 'sigv4-any-region',
    description: "the credential scope's region is not checked",
    breaks: ['sigv4.scope.wrong-region', 'sigv4.scope.region-case', 'sigv4.response.wrong-region'],
  },
  {
    name: 'sigv4-any-service',
    description:
      "the credential scope's service is not checked, so a signature for another service is accepted",
    breaks: [
      'sigv4.scope.wrong-service',
      'sigv4.scope.service-case',
      'sigv4.scope.control-plane-service',
      'sigv4.response.wrong-service',
    ],
  },
  {
    name: 'sigv4-host-optional',
    description: 'a signature whose SignedHeaders leave out host is accepted',
    breaks: ['sigv4.reject.host-not-signed'],
  },
  {
    name: 'sigv4-session-token-ignored',
    description: 'X-Amz-Security-Token is never checked: temporary credentials work without it, or with any',
    breaks: [
      'sigv4.session.token-required',
      'sigv4.session.token-checked',
      'sigv4.session.token-on-long-term-key',
      'sigv4.session.token-truncated',
    ],
  },
  {
    name: 'sigv4-signature-not-compared',
    description: 'the signature is computed but never compared with the one sent',
    breaks: [
      'sigv4.tamper.method',
      'sigv4.tamper.path',
      'sigv4.tamper.query',
      'sigv4.tamper.header',
      'sigv4.tamper.signature-truncated',
      'sigv4.tamper.query-repeated',
      'sigv4.tamper.header-repeated',
      'sigv4.presigned.tampered',
      'sigv4.response.signature-mismatch',
    ],
  },
  {
    name: 'sigv4-policy-ignored',
    description: "the caller's IAM policy is not evaluated: any valid signature may invoke any method",
    breaks: ['sigv4.policy.explicit-deny', 'sigv4.response.explicit-deny'],
  },
  {
    name: 'sigv4-anonymous-allowed',
    description: 'a request with no signature at all is let through as an anonymous caller',
    breaks: ['sigv4.reject.unsigned', 'sigv4.response.missing-token'],
  },
  {
    name: 'sigv4-unknown-key-fails-open',
    description: 'a credential the gateway cannot find lets the request through (fail open on the lookup)',
    breaks: ['sigv4.reject.unknown-access-key', 'sigv4.response.unknown-key'],
  },
  {
    name: 'sigv4-incomplete-as-missing-token',
    description:
      'an Authorization header that is not SigV4 is treated as absent: 403 Missing Authentication Token instead of IncompleteSignatureException',
    breaks: ['sigv4.response.incomplete-signature', 'sigv4.presigned.signature-missing'],
  },
  {
    name: 'sigv4-authorization-forwarded',
    description:
      "the signed Authorization header, or a presigned URL's X-Amz-* parameters, are passed on to the integration",
    breaks: ['sigv4.integration.authorization-stripped', 'sigv4.presigned.parameters-stripped'],
  },
  {
    name: 'sigv4-skew-lenient',
    description: 'the clock skew allowed is 10 minutes either way, not 5',
    breaks: ['sigv4.skew.just-expired', 'sigv4.skew.just-future'],
  },
  {
    name: 'sigv4-skew-strict',
    description:
      'the clock skew allowed is 1 minute either way, so callers with a clock a few minutes off are refused',
    breaks: ['sigv4.skew.just-inside-past', 'sigv4.skew.just-inside-future'],
  },
  {
    name: 'sigv4-presigned-expiry-as-skew',
    description:
      'a presigned URL is held to the 5-minute skew instead of its X-Amz-Expires: a short expiry is outlived, a long one cut short',
    breaks: [
      'sigv4.presigned.expired',
      'sigv4.presigned.just-expired',
      'sigv4.presigned.within-expiry',
      'sigv4.presigned.expires-fractional',
    ],
  },
  {
    name: 'sigv4-presigned-expires-any-number',
    description: 'X-Amz-Expires is read as any number (300.5), not only a whole count of seconds',
    breaks: ['sigv4.presigned.expires-fractional'],
  },
  {
    name: 'sigv4-presigned-skew-enforced',
    description: 'a presigned URL must also be under 5 minutes old, whatever its X-Amz-Expires',
    breaks: ['sigv4.presigned.within-expiry'],
  },
  {
    name: 'sigv4-scope-date-unchecked',
    description:
      "the credential scope's date is used to derive the key but never compared with the signing time",
    breaks: ['sigv4.scope.date-mismatch', 'sigv4.response.scope-date'],
  },
  {
    name: 'sigv4-scope-terminator-unchecked',
    description:
      "the credential scope's terminator is not checked to be aws4_request, only used to derive the key",
    breaks: ['sigv4.scope.terminator', 'sigv4.response.terminator'],
  },
  {
    name: 'sigv4-scope-case-insensitive',
    description: "the credential scope's region and service are compared without regard to case",
    breaks: ['sigv4.scope.region-case', 'sigv4.scope.service-case'],
  },
  {
    name: 'sigv4-control-plane-service-accepted',
    description:
      'one verifier serves the API and its control plane, so a signature scoped to apigateway invokes the API too',
    breaks: ['sigv4.scope.control-plane-service'],
  },
  {
    name: 'sigv4-token-only-for-temporary',
    description:
      'X-Amz-Security-Token is checked only for temporary credentials; sent with a long-term key it is ignored',
    breaks: ['sigv4.session.token-on-long-term-key'],
  },
  {
    name: 'sigv4-session-token-truncated',
    description: 'session tokens are compared on their first 64 characters only',
    breaks: ['sigv4.session.token-truncated'],
  },
  {
    name: 'sigv4-signature-prefix',
    description: 'a signature is accepted when the expected one starts with it (a length-limited comparison)',
    breaks: ['sigv4.tamper.signature-truncated'],
  },
  {
    name: 'sigv4-query-unsorted',
    description: 'the canonical query keeps the order of arrival instead of sorting the parameters',
    breaks: [
      'sigv4.accept.query-reordered',
      'sigv4.accept.query-reserved-chars',
      'sigv4.accept.query-repeated',
      'sigv4.presigned.accepted',
      'sigv4.presigned.within-expiry',
      'sigv4.presigned.parameters-stripped',
    ],
  },
  {
    name: 'sigv4-query-form-encoded',
    description:
      'the canonical query is form-encoded and sorted by name only (a space as +, * left as is, ~ encoded, repeated values in arrival order)',
    breaks: ['sigv4.accept.query-reserved-chars', 'sigv4.accept.query-repeated'],
  },
  {
    name: 'sigv4-query-first-value-only',
    description: 'only the first value of a repeated query parameter is signed',
    breaks: ['sigv4.accept.query-repeated', 'sigv4.tamper.query-repeated'],
  },
  {
    name: 'sigv4-header-first-value-only',
    description: 'only the first value of a repeated header is signed',
    breaks: ['sigv4.accept.header-repeated', 'sigv4.tamper.header-repeated'],
  },
  {
    name: 'sigv4-header-whitespace-kept',
    description: 'signed header values are trimmed but their inner runs of spaces are not folded',
    breaks: ['sigv4.accept.header-whitespace'],
  },
] as const satisfies readonly Fault[];

export type SigV4FaultName = (typeof SIGV4_FAULTS)[number]['name'];

/** The verifier's relaxations by fault; faults not here are made in the IAM authorizer itself. */
export const SIGV4_RELAXATIONS: Partial<Record<string, SigV4Relaxations>> = {
  'sigv4-unsigned-body': { trustPayloadHashHeader: true },
  'sigv4-no-expiry': { ignoreClockSkew: true },
  'sigv4-any-region': { anyRegion: true },
  'sigv4-any-service': { anyService: true },
  'sigv4-host-optional': { hostOptional: true },
  'sigv4-session-token-ignored': { ignoreSessionToken: true },
  'sigv4-signature-not-compared': { skipSignatureCheck: true },
  'sigv4-skew-lenient': { skewMs: 10 * 60_000 },
  'sigv4-skew-strict': { skewMs: 60_000 },
  'sigv4-presigned-expiry-as-skew': { presignedExpiryAsSkew: true },
  'sigv4-presigned-skew-enforced': { presignedSkewEnforced: true },
  'sigv4-presigned-expires-any-number': { expiresAnyNumber: true },
  'sigv4-scope-date-unchecked': { scopeDateUnchecked: true },
  'sigv4-scope-terminator-unchecked': { anyTerminator: true },
  'sigv4-scope-case-insensitive': { scopeCaseInsensitive: true },
  'sigv4-control-plane-service-accepted': { alsoService: 'apigateway' },
  'sigv4-token-only-for-temporary': { tokenOnlyForTemporary: true },
  'sigv4-session-token-truncated': { tokenComparedChars: 64 },
  'sigv4-signature-prefix': { signaturePrefix: true },
  'sigv4-query-unsorted': { canonical: { queryUnsorted: true } },
  'sigv4-query-form-encoded': { canonical: { queryFormEncoded: true } },
  'sigv4-query-first-value-only': { canonical: { queryFirstValueOnly: true } },
  'sigv4-header-first-value-only': { canonical: { headerFirstValueOnly: true } },
  'sigv4-header-whitespace-kept': { canonical: { headerWhitespaceKept: true } },
} satisfies Partial<Record<SigV4FaultName, SigV4Relaxations>>;
