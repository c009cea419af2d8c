import type { IamPolicy } from './iam-policy.js';

/**
 * What a Lambda authorizer function must return, checked the way API Gateway does before it
 * trusts it: a principal, a policy document of Allow/Deny statements, and a flat context whose
 * values are strings, numbers or booleans. Anything else is the function's fault, answered with
 * AUTHORIZER_CONFIGURATION_ERROR.
 */

export type AuthorizerContextValue = string | number | boolean;

export interface AuthorizerResult {
  principalId: string;
  policyDocument: IamPolicy;
  context?: Record<string, AuthorizerContextValue>;
  /** The API key to meter when the API's key source is AUTHORIZER. */
  usageIdentifierKey?: string;
}

/** A result fit to use and to cache: the context already in the strings the backend receives. */
export interface AcceptedResult {
  principalId: string;
  policy: IamPolicy;
  context: Record<string, string>;
  usageIdentifierKey?: string;
}

export class MalformedResultError extends Error {
  override name = 'MalformedResultError';
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isStringOrList = (value: unknown): boolean =>
  typeof value === 'string' ||
  (Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string'));

export function acceptResult(value: unknown): AcceptedResult {
  if (!isObject(value)) throw new MalformedResultError('the result is not an object');
  const { principalId, policyDocument, context = {}, usageIdentifierKey } = value;
  if (typeof principalId !== 'string' || principalId === '') {
    throw new MalformedResultError('principalId is missing');
  }
  if (!isObject(policyDocument)) throw new MalformedResultError('policyDocument is missing');
  // IAM accepts a single statement object as well as a list.
  const statements = Array.isArray(policyDocument.Statement)
    ? policyDocument.Statement
    : [policyDocument.Statement];
  for (const statement of statements) {
    if (
      !isObject(statement) ||
      (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') ||
      !isStringOrList(statement.Action) ||
      !isStringOrList(statement.Resource)
    ) {
      throw new MalformedResultError('a policy statement lacks Effect, Action or Resource');
    }
  }
  if (!isObject(context)) throw new MalformedResultError('context is not an object');
  const strings: Record<string, string> = {};
  for (const [key, item] of Object.entries(context)) {
    if (typeof item !== 'string' && typeof item !== 'number' && typeof item !== 'boolean') {
      throw new MalformedResultError(`context value "${key}" is not a string, number or boolean`);
    }
    strings[key] = String(item);
  }
  if (usageIdentifierKey !== undefined && typeof usageIdentifierKey !== 'string') {
    throw new MalformedResultError('usageIdentifierKey is not a string');
  }
  return {
    principalId,
    policy: { Statement: statements } as IamPolicy,
    context: strings,
    ...(usageIdentifierKey === undefined ? {} : { usageIdentifierKey }),
  };
}
