import type { Exchange } from '../src/contract/typed-client.js';
import type { ProbeClient } from '../src/probe/probe-client.js';
import { expect } from './fixtures.js';

/**
 * Shared expectations, written once. Under `aws` a gateway response must match API Gateway's
 * status, body and error type; under `generic` only the status set and the security property.
 * Bodies are compared as parsed JSON, and `message` / `Message` alike, as API Gateway varies.
 */

export interface AwsError {
  status: number;
  /** The exact message, or a pattern where AWS puts the request's own values in it (times, ARNs). */
  message: string | null | RegExp;
  errorType?: string;
}

export interface Rejection {
  /** Statuses any gateway may use for this rejection. */
  statuses: number[];
  aws: AwsError;
}

export const REJECT = {
  forbidden: {
    statuses: [401, 403],
    aws: { status: 403, message: 'Forbidden', errorType: 'ForbiddenException' },
  },
  missingToken: {
    statuses: [401, 403, 404],
    aws: {
      status: 403,
      message: 'Missing Authentication Token',
      errorType: 'MissingAuthenticationTokenException',
    },
  },
  quotaExceeded: {
    statuses: [429, 403],
    aws: { status: 429, message: 'Limit Exceeded', errorType: 'LimitExceededException' },
  },
  throttled: {
    statuses: [429],
    aws: { status: 429, message: 'Too Many Requests', errorType: 'TooManyRequestsException' },
  },
} satisfies Record<string, Rejection>;

export function errorMessage(res: Exchange): string | null | undefined {
  const body = res.json as { message?: string | null; Message?: string | null } | undefined;
  if (!body || typeof body !== 'object') return undefined;
  return 'message' in body ? body.message : body.Message;
}

/**
 * The refusal's status: API Gateway's exact one under `aws`, any allowed one under `generic`.
 * Bodies and error types are checked by their own cases, so one broken promise fails one case.
 */
export function expectRefused(res: Exchange, rejection: Rejection, strict: boolean): void {
  if (strict) expect(res.status, 'status').toBe(rejection.aws.status);
  else expect(rejection.statuses, `status ${res.status} is not a refusal`).toContain(res.status);
}

/** API Gateway's exact gateway response: status, message (as parsed JSON) and x-amzn-ErrorType. */
export function expectGatewayResponse(res: Exchange, rejection: Rejection): void {
  expect(res.status, 'status').toBe(rejection.aws.status);
  const { message } = rejection.aws;
  if (message instanceof RegExp) expect(errorMessage(res) ?? '', 'body message').toMatch(message);
  else expect(errorMessage(res), 'body message').toBe(message);
  if (rejection.aws.errorType) {
    expect(res.headers['x-amzn-errortype'], 'x-amzn-ErrorType').toBe(rejection.aws.errorType);
  }
}

export async function expectNotReached(probe: ProbeClient, nonce: string): Promise<void> {
  expect(await probe.reached(nonce), 'requests that reached the upstream').toBe(0);
}

export async function expectReached(probe: ProbeClient, nonce: string, times: number): Promise<void> {
  expect(await probe.reached(nonce), 'requests that reached the upstream').toBe(times);
}
