import type { Fault } from './fault.js';

/** The routes with an authorizer; the keyed route, which has none, is checked for the declared headers only. */
const AUTHORIZED = ['sigv4', 'jwt', 'authorizer'] as const;
const spoofCases = (variant: string, suites: readonly string[] = AUTHORIZED) =>
  suites.map((suite) => `${suite}.spoof.${variant}`);

/**
 * Faults of the identity the gateway hands the integration (authorizer context, API key id, IAM
 * caller): each lets a client's own copy of those headers through, as gateways have done.
 */
export const IDENTITY_FAULTS = [
  {
    name: 'identity-headers-merged',
    description:
      "the client's identity headers are kept and the gateway's own values merged over them, so those the gateway does not set this time reach the integration as the client wrote them",
    breaks: [
      ...spoofCases('authorizer-context'),
      ...spoofCases('authorizer-context-mixed-case'),
      ...spoofCases('declared-identity', ['apikey', ...AUTHORIZED]),
    ],
  },
  {
    name: 'identity-headers-case-sensitive',
    description:
      'identity headers are removed by their names as written, so X-Gp-Authorizer-Role passes where x-gp-authorizer-role would not',
    breaks: spoofCases('authorizer-context-mixed-case'),
  },
  {
    name: 'identity-headers-kept-without-authorizer',
    description:
      'identity headers are removed by the authorizer step only, so on a method with an API key and no authorizer the client sets them',
    breaks: spoofCases('declared-identity', ['apikey']),
  },
] as const satisfies readonly Fault[];
