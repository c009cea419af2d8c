/**
 * The part of IAM policy evaluation that API Gateway's IAM authorization needs: identity policies
 * that allow or deny `execute-api:*` actions on method ARNs. An explicit deny wins over any allow,
 * and nothing allowed means denied (IAM's "implicit deny").
 */

/** What a statement may name: the execute-api actions, the service wildcard, or everything. */
export type ExecuteApiActionPattern =
  | 'execute-api:Invoke'
  | 'execute-api:InvalidateCache'
  | 'execute-api:ManageConnections'
  | 'execute-api:*'
  | '*';
export type ExecuteApiAction =
  | 'execute-api:Invoke'
  | 'execute-api:InvalidateCache'
  | 'execute-api:ManageConnections';

export interface PolicyStatement {
  Effect: 'Allow' | 'Deny';
  Action: ExecuteApiActionPattern | readonly ExecuteApiActionPattern[];
  /** Method ARN patterns; `*` matches any run of characters and `?` one, as in IAM. */
  Resource: string | readonly string[];
}

export interface IamPolicy {
  Version?: '2012-10-17';
  Statement: readonly PolicyStatement[];
}

export type PolicyDecision = 'allow' | 'deny' | 'implicit-deny';

/** IAM wildcards: `*` and `?` only; every other character, `/` and `:` included, is literal. */
function wildcard(pattern: string, caseInsensitive: boolean): RegExp {
  const body = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, caseInsensitive ? 'is' : 's');
}

function list<T>(value: T | readonly T[]): readonly T[] {
  return Array.isArray(value) ? value : [value as T];
}

function matches(statement: PolicyStatement, action: ExecuteApiAction, resourceArn: string): boolean {
  // IAM compares action names case-insensitively and resource ARNs exactly.
  return (
    list(statement.Action).some((p) => wildcard(p, true).test(action)) &&
    list(statement.Resource).some((p) => wildcard(p, false).test(resourceArn))
  );
}

export function evaluatePolicy(
  policy: IamPolicy,
  action: ExecuteApiAction,
  resourceArn: string,
): PolicyDecision {
  const applicable = policy.Statement.filter((s) => matches(s, action, resourceArn));
  if (applicable.some((s) => s.Effect === 'Deny')) return 'deny';
  return applicable.some((s) => s.Effect === 'Allow') ? 'allow' : 'implicit-deny';
}

export interface MethodArnParts {
  region: string;
  accountId: string;
  apiId: string;
  stage: string;
  method: string;
  /** The resource path as in the API (`/pets/{id}` or the request's `/pets/7`), leading slash optional. */
  path: string;
}

/** `arn:aws:execute-api:us-east-1:123456789012:apiid/test/GET/iam`: the resource an Invoke is checked against. */
export function methodArn(parts: MethodArnParts): string {
  const resource = parts.path.replace(/^\//, '');
  return `arn:aws:execute-api:${parts.region}:${parts.accountId}:${parts.apiId}/${parts.stage}/${parts.method}/${resource}`;
}
