import { UsageError } from '../usage-error.js';

/** A promise the reference gateway breaks on purpose, and the cases that must catch it. */
export interface Fault {
  name: string;
  description: string;
  /** Case ids that must fail under this fault, and only these. */
  breaks: readonly string[];
}

export const FAULTS = [
  {
    name: 'apikey-disabled-accepted',
    description: 'a disabled API key is accepted',
    breaks: ['apikey.reject.disabled'],
  },
  {
    name: 'apikey-any-stage',
    description: "a key's usage plan is not checked for this stage",
    breaks: ['apikey.reject.other-stage'],
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
    name: 'quota-off-by-one',
    description: 'the quota admits limit + 1 requests',
    breaks: ['quota.exhaust.limit-then-429', 'quota.concurrency.burst'],
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
] as const satisfies readonly Fault[];

export type FaultName = (typeof FAULTS)[number]['name'];

/** The fault to run with, or undefined for a faithful gateway; an unknown name is bad usage. */
export function parseFault(name: string | undefined): FaultName | undefined {
  if (name === undefined || name === '') return undefined;
  const fault = FAULTS.find((candidate) => candidate.name === name);
  if (!fault) {
    throw new UsageError(`unknown fault "${name}"; known faults: ${FAULTS.map((f) => f.name).join(', ')}`);
  }
  return fault.name;
}
