import type { Fault } from './fault.js';
import type { SigV4Relaxations } from './sigv4-verifier.js';

/** Faults of IAM authorization (SigV4): each a check a real verifier has been found to skip. */
export const SIGV4_FAULTS = [
  {
    name: 'sigv4-unsigned-body',
    description:
      'the payload hash is taken from x-amz-content-sha256 as sent instead of being computed, so the body is not really signed',
    breaks: ['sigv4.tamper.body'],
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
      'sigv4.replay.aws-vector',
      'sigv4.presigned.expired',
      'sigv4.response.expired',
      'sigv4.response.not-yet-current',
    ],
  },
  {
    name: 'sigv4-any-region',
    description: "the credential scope's region is not checked",
    breaks: ['sigv4.scope.wrong-region', 'sigv4.response.wrong-region'],
  },
  {
    name: 'sigv4-any-service',
    description:
      "the credential scope's service is not checked, so a signature for another service is accepted",
    breaks: ['sigv4.scope.wrong-service', 'sigv4.response.wrong-service'],
  },
  {
    name: 'sigv4-host-optional',
    description: 'a signature whose SignedHeaders leave out host is accepted',
    breaks: ['sigv4.reject.host-not-signed'],
  },
  {
    name: 'sigv4-session-token-ignored',
    description: 'X-Amz-Security-Token is never checked: temporary credentials work without it, or with any',
    breaks: ['sigv4.session.token-required', 'sigv4.session.token-checked'],
  },
  {
    name: 'sigv4-signature-not-compared',
    description: 'the signature is computed but never compared with the one sent',
    breaks: [
      'sigv4.tamper.method',
      'sigv4.tamper.path',
      'sigv4.tamper.query',
      'sigv4.tamper.header',
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
    breaks: ['sigv4.response.incomplete-signature'],
  },
  {
    name: 'sigv4-authorization-forwarded',
    description:
      "the signed Authorization header, or a presigned URL's X-Amz-* parameters, are passed on to the integration",
    breaks: ['sigv4.integration.authorization-stripped', 'sigv4.presigned.parameters-stripped'],
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
} satisfies Partial<Record<SigV4FaultName, SigV4Relaxations>>;
