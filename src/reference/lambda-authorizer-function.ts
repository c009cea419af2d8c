import type { AuthorizerEvent } from './lambda-authorizer.js';
import type { AuthorizerResult } from './lambda-authorizer-result.js';

/**
 * The reference gateway's own Lambda authorizer function (`authorizerUri:
 * gateproof:reference-authorizer`). The token says what to answer, so a suite can ask for each
 * outcome: `allow-<name>` allows, `deny-<name>` denies, `unauthorized-<name>` refuses,
 * `crash-<name>` throws; anything else is refused. It numbers its calls and says the number in its
 * context (`invocation`, a string so that it survives any gateway's context handling), so a suite
 * can prove through the gateway that an answer came from the cache or that the function was never asked.
 */

export const REFERENCE_AUTHORIZER_URI = 'gateproof:reference-authorizer';

/**
 * What a target profile says of this function for a principal: the token for each answer, the
 * context an Allow carries to the integration (as strings), and the key numbering its calls.
 */
export function referenceAuthorizerSettings(principal: string) {
  return {
    tokens: {
      allow: `allow-${principal}`,
      deny: `deny-${principal}`,
      unauthorized: `unauthorized-${principal}`,
      crash: `crash-${principal}`,
    },
    context: { principal, tier: '2', verified: 'true' },
    invocationKey: 'invocation',
  };
}

export interface ReferenceAuthorizerFunction {
  (event: AuthorizerEvent): Promise<AuthorizerResult>;
  /** Calls so far, whatever they answered. */
  readonly invocations: number;
}

/** The token of a TOKEN event; for REQUEST, the Authorization header or else the `token` query parameter. */
function tokenOf(event: AuthorizerEvent): string {
  if (event.type === 'TOKEN') return event.authorizationToken;
  const authorization = Object.entries(event.headers).find(
    ([name]) => name.toLowerCase() === 'authorization',
  )?.[1];
  return authorization ?? event.queryStringParameters.token ?? '';
}

/** Every method of the stage: the policy is cached by identity and must serve any method. */
function stageResource(methodArn: string): string {
  const [api = methodArn, stage = '*'] = methodArn.split('/');
  return `${api}/${stage}/*`;
}

function policyResult(
  effect: 'Allow' | 'Deny',
  principal: string,
  methodArn: string,
  invocation: number,
): AuthorizerResult {
  return {
    principalId: principal,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Effect: effect, Action: 'execute-api:Invoke', Resource: stageResource(methodArn) }],
    },
    context: { principal, tier: 2, verified: true, invocation: String(invocation) },
  };
}

/**
 * `nextInvocation` numbers the calls when several instances of the function share one count (as
 * Lambda's do, in separate threads); by default this instance counts its own.
 */
export function createReferenceAuthorizerFunction(
  nextInvocation?: () => number,
): ReferenceAuthorizerFunction {
  let invocations = 0;
  const fn = async (event: AuthorizerEvent): Promise<AuthorizerResult> => {
    invocations += 1;
    const invocation = nextInvocation?.() ?? invocations;
    const token = tokenOf(event);
    const [, verb = '', name = ''] = /^(allow|deny|unauthorized|crash)-(.*)$/s.exec(token) ?? [];
    const principal = name || 'anonymous';
    if (verb === 'allow') return policyResult('Allow', principal, event.methodArn, invocation);
    if (verb === 'deny') return policyResult('Deny', principal, event.methodArn, invocation);
    if (verb === 'crash') throw new Error('the reference authorizer crashed on purpose');
    throw new Error('Unauthorized');
  };
  return Object.defineProperty(fn, 'invocations', { get: () => invocations }) as ReferenceAuthorizerFunction;
}
