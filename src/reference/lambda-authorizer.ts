import { type AuthorizerRejection, rejection } from './authorizer-outcome.js';
import { evaluatePolicy } from './iam-policy.js';
import { ResultCache } from './lambda-authorizer-cache.js';
import { type AcceptedResult, acceptResult, MalformedResultError } from './lambda-authorizer-result.js';

/**
 * API Gateway's Lambda authorizer (REST), with the function as a local module. Order of work:
 * identity sources present and non-empty, then `identityValidationExpression` (TOKEN), then the
 * result cache keyed by the identity values, then the function; its policy is evaluated against
 * this request's method ARN every time, so a cached policy applies across methods.
 */

export interface TokenAuthorizerEvent {
  type: 'TOKEN';
  authorizationToken: string;
  methodArn: string;
}

export interface RequestAuthorizerEvent {
  type: 'REQUEST';
  methodArn: string;
  resource: string;
  path: string;
  httpMethod: string;
  headers: Record<string, string>;
  queryStringParameters: Record<string, string>;
  pathParameters: Record<string, string>;
  stageVariables: Record<string, string>;
  requestContext: {
    requestId: string;
    stage: string;
    resourcePath: string;
    httpMethod: string;
    path: string;
  };
}

export type AuthorizerEvent = TokenAuthorizerEvent | RequestAuthorizerEvent;

/** Returns an AuthorizerResult, or throws `Unauthorized`; anything else is a configuration error. */
export type AuthorizerFunction = (event: AuthorizerEvent) => unknown;

export const LAMBDA_AUTHORIZER_FAULTS = [
  {
    name: 'authorizer-cache-ignores-identity',
    description:
      "the authorizer's result cache ignores the identity sources: one caller's policy serves the next",
    breaks: [
      'authorizer.cache.no-leak-across-identities',
      'authorizer.cache.deny-not-reused-for-allow',
      'authorizer.cache.keyed-on-every-source',
      'authorizer.cache.no-key-collision',
    ],
  },
  {
    name: 'authorizer-cache-key-concatenated',
    description: 'the cache key is the identity-source values joined with nothing between them',
    breaks: ['authorizer.cache.no-key-collision'],
  },
  {
    name: 'authorizer-cache-single-entry',
    description: 'the result cache holds one entry: each new identity evicts the one before',
    breaks: ['authorizer.cache.identities-side-by-side'],
  },
  {
    name: 'authorizer-cache-first-source-only',
    description: 'the cache is keyed on the first identity source only',
    breaks: ['authorizer.cache.keyed-on-every-source'],
  },
  {
    name: 'authorizer-cache-ttl-one-second',
    description: 'cached answers live one second at most, whatever the TTL',
    breaks: ['authorizer.cache.reused-until-ttl'],
  },
  {
    name: 'authorizer-empty-identity-called',
    description: 'an identity source is checked for presence only: an empty one still calls the function',
    breaks: ['authorizer.identity.empty-not-called'],
  },
  {
    name: 'authorizer-cache-off',
    description: 'authorizerResultTtlInSeconds is ignored: the function is called on every request',
    // expires-after-ttl too: an answer never cached cannot be seen to expire.
    breaks: [
      'authorizer.cache.reused-within-ttl',
      'authorizer.cache.reused-until-ttl',
      'authorizer.cache.identities-side-by-side',
      'authorizer.cache.expires-after-ttl',
    ],
  },
  {
    name: 'authorizer-cache-never-expires',
    description: 'a cached authorizer result is served forever, whatever its TTL',
    breaks: ['authorizer.cache.expires-after-ttl'],
  },
  {
    name: 'authorizer-called-without-identity',
    description: 'a request without its identity source still calls the function, with an empty token',
    breaks: ['authorizer.identity.missing-not-called', 'authorizer.identity.empty-not-called'],
  },
  {
    name: 'authorizer-validation-expression-ignored',
    description: 'identityValidationExpression is not checked: any token goes to the function',
    breaks: ['authorizer.identity.invalid-not-called'],
  },
  {
    name: 'authorizer-deny-ignored',
    description: "the policy's effect is not read: a Deny statement admits the caller like an Allow",
    breaks: [
      'authorizer.reject.deny',
      'authorizer.response.deny-body',
      'authorizer.cache.no-leak-across-identities',
      'authorizer.cache.deny-not-reused-for-allow',
    ],
  },
  {
    name: 'authorizer-unauthorized-500',
    description: "the function's Unauthorized error is treated as a crash (500) instead of 401",
    breaks: ['authorizer.reject.unauthorized', 'authorizer.response.unauthorized-body'],
  },
  {
    name: 'authorizer-crash-fails-open',
    description: 'a function that crashes lets the request through (fail open)',
    breaks: ['authorizer.reject.crash', 'authorizer.response.crash-body'],
  },
  {
    name: 'authorizer-identity-header-case-sensitive',
    description:
      'the identity-source header is looked up by its lower-case name among the headers as the client wrote them',
    breaks: ['authorizer.identity.header-name-case'],
  },
  {
    name: 'authorizer-context-strings-only',
    description: 'context values that are numbers or booleans are dropped instead of passed on as strings',
    breaks: ['authorizer.accept.context-forwarded'],
  },
] as const;
export type LambdaAuthorizerFaultName = (typeof LAMBDA_AUTHORIZER_FAULTS)[number]['name'];

export const DEFAULT_RESULT_TTL_SECONDS = 300;
export const MAX_RESULT_TTL_SECONDS = 3600;

export interface LambdaAuthorizerConfig {
  type: 'TOKEN' | 'REQUEST';
  fn: AuthorizerFunction;
  /**
   * Comma-separated, as in API Gateway: `method.request.header.Authorization`,
   * `method.request.querystring.token` (or the HTTP API forms `$request.header.X`, `$request.querystring.x`).
   * TOKEN takes exactly one header. REQUEST may take none only when caching is off.
   */
  identitySource: string;
  /** TOKEN only: the whole token must match, or 401 without calling the function. */
  identityValidationExpression?: string;
  /** Default 300, 0 turns the cache off, at most 3600. */
  resultTtlSeconds?: number;
  /** Milliseconds since the epoch, for the cache. */
  now?: () => number;
  /** The function's time limit; past it the answer is AUTHORIZER_CONFIGURATION_ERROR. */
  timeoutMs?: number;
  fault?: LambdaAuthorizerFaultName;
}

export interface LambdaAuthorizerRequest {
  /** `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{resource}` (see `methodArn`). */
  methodArn: string;
  httpMethod: string;
  /** The resource as in the API (`/pets/{id}`). */
  resourcePath: string;
  /** The request path as received. */
  path: string;
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  query: URLSearchParams;
  pathParameters?: Record<string, string>;
  stageVariables?: Record<string, string>;
  stage?: string;
  requestId?: string;
}

export interface LambdaAllow {
  ok: true;
  principalId: string;
  /**
   * `$context.authorizer.*`: `principalId` and the function's context, every value a string.
   * `authorizerHeaders` turns it into the headers the integration receives.
   */
  context: Record<string, string>;
  usageIdentifierKey?: string;
  /** True when the answer came from the result cache, without calling the function. */
  cached: boolean;
}

export type LambdaOutcome = LambdaAllow | AuthorizerRejection;

export interface LambdaAuthorizer {
  /** Never throws: every failure is a gateway response. */
  authorize(request: LambdaAuthorizerRequest): Promise<LambdaOutcome>;
  /** Flushes the result cache. */
  flush(): void;
}

class FunctionTimeout extends Error {}

interface IdentitySource {
  in: 'header' | 'querystring';
  name: string;
}

const UNAUTHORIZED_BODY = { message: 'Unauthorized' };
const CONFIGURATION_ERROR_BODY = { message: null };

/** Parses `identitySource`; a form this gateway cannot read is a configuration error. */
export function parseIdentitySource(value: string): IdentitySource[] {
  return value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const match = /^(?:method\.request|\$request)\.(header|querystring)\.(.+)$/.exec(part);
      if (!match?.[1] || !match[2]) {
        throw new Error(
          `identitySource "${part}": expected method.request.header.NAME or method.request.querystring.NAME`,
        );
      }
      const where = match[1] as IdentitySource['in'];
      return { in: where, name: where === 'header' ? match[2].toLowerCase() : match[2] };
    });
}

export function createLambdaAuthorizer(config: LambdaAuthorizerConfig): LambdaAuthorizer {
  const sources = parseIdentitySource(config.identitySource);
  const ttlSeconds = config.resultTtlSeconds ?? DEFAULT_RESULT_TTL_SECONDS;
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 0 || ttlSeconds > MAX_RESULT_TTL_SECONDS) {
    throw new Error(
      `authorizerResultTtlInSeconds must be an integer from 0 to ${MAX_RESULT_TTL_SECONDS}, not ${ttlSeconds}`,
    );
  }
  if (config.type === 'TOKEN' && (sources.length !== 1 || sources[0]?.in !== 'header')) {
    throw new Error('a TOKEN authorizer takes exactly one header as its identity source');
  }
  if (config.type === 'REQUEST' && sources.length === 0 && ttlSeconds > 0) {
    throw new Error('a REQUEST authorizer with caching on needs at least one identity source');
  }
  if (config.type === 'REQUEST' && config.identityValidationExpression !== undefined) {
    throw new Error('identityValidationExpression applies to TOKEN authorizers only');
  }
  const validation =
    config.identityValidationExpression === undefined
      ? undefined
      : new RegExp(`^(?:${config.identityValidationExpression})$`);
  const now = config.now ?? Date.now;
  const timeoutMs = config.timeoutMs ?? 10_000;
  const fault = config.fault;
  const cacheTtlMs =
    fault === 'authorizer-cache-off'
      ? 0
      : fault === 'authorizer-cache-never-expires' && ttlSeconds > 0
        ? Number.POSITIVE_INFINITY
        : fault === 'authorizer-cache-ttl-one-second'
          ? Math.min(ttlSeconds, 1) * 1000
          : ttlSeconds * 1000;
  const cache = new ResultCache<AcceptedResult>(
    cacheTtlMs,
    now,
    fault === 'authorizer-cache-single-entry' ? 1 : undefined,
  );

  function identityValues(request: LambdaAuthorizerRequest): string[] | undefined {
    const values: string[] = [];
    for (const source of sources) {
      const value =
        source.in !== 'header'
          ? (request.query.get(source.name) ?? undefined)
          : fault === 'authorizer-identity-header-case-sensitive'
            ? [request.headers[source.name] ?? []].flat()[0]
            : headerValue(request.headers, source.name);
      const empty = value?.trim() === '' && fault !== 'authorizer-empty-identity-called';
      if (value === undefined || empty) return undefined;
      values.push(value);
    }
    return values;
  }

  function event(request: LambdaAuthorizerRequest, values: readonly string[]): AuthorizerEvent {
    if (config.type === 'TOKEN') {
      return { type: 'TOKEN', authorizationToken: values[0] ?? '', methodArn: request.methodArn };
    }
    const headers: Record<string, string> = {};
    for (const name of Object.keys(request.headers)) {
      const value = headerValue(request.headers, name);
      if (value !== undefined) headers[name] = value;
    }
    const stage = request.stage ?? '';
    const requestId = request.requestId ?? '';
    return {
      type: 'REQUEST',
      methodArn: request.methodArn,
      resource: request.resourcePath,
      path: request.path,
      httpMethod: request.httpMethod,
      headers,
      queryStringParameters: Object.fromEntries(request.query),
      pathParameters: { ...request.pathParameters },
      stageVariables: { ...request.stageVariables },
      requestContext: {
        requestId,
        stage,
        resourcePath: request.resourcePath,
        httpMethod: request.httpMethod,
        path: request.path,
      },
    };
  }

  /** The function's answer, within its time limit. */
  async function invoke(input: AuthorizerEvent): Promise<unknown> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new FunctionTimeout(`the authorizer function did not answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([Promise.resolve().then(() => config.fn(input)), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  function decide(result: AcceptedResult, request: LambdaAuthorizerRequest, cached: boolean): LambdaOutcome {
    const decision =
      fault === 'authorizer-deny-ignored'
        ? 'allow'
        : evaluatePolicy(result.policy, 'execute-api:Invoke', request.methodArn);
    if (decision === 'deny') {
      return rejection(
        'ACCESS_DENIED',
        { Message: 'User is not authorized to access this resource with an explicit deny' },
        'the policy denies this method explicitly',
      );
    }
    if (decision === 'implicit-deny') {
      return rejection(
        'ACCESS_DENIED',
        { Message: 'User is not authorized to access this resource' },
        'the policy allows nothing that matches this method',
      );
    }
    return {
      ok: true,
      principalId: result.principalId,
      context: { ...result.context, principalId: result.principalId },
      ...(result.usageIdentifierKey === undefined ? {} : { usageIdentifierKey: result.usageIdentifierKey }),
      cached,
    };
  }

  return {
    flush: () => cache.clear(),
    async authorize(request) {
      const found = identityValues(request);
      if (!found && fault !== 'authorizer-called-without-identity')
        return rejection('UNAUTHORIZED', UNAUTHORIZED_BODY, 'an identity source is missing or empty');
      const values = found ?? sources.map(() => '');
      const validate = found !== undefined && fault !== 'authorizer-validation-expression-ignored';
      if (validate && validation && !validation.test(values[0] ?? '')) {
        return rejection(
          'UNAUTHORIZED',
          UNAUTHORIZED_BODY,
          'the token does not match identityValidationExpression',
        );
      }
      const key = cacheKey(values, fault);
      const hit = cache.get(key);
      if (hit) return decide(hit, request, true);

      let answer: unknown;
      try {
        answer = await invoke(event(request, values));
      } catch (err) {
        const unauthorized =
          err === 'Unauthorized' || (err instanceof Error && err.message === 'Unauthorized');
        if (unauthorized && fault !== 'authorizer-unauthorized-500') {
          return rejection(
            'UNAUTHORIZED',
            UNAUTHORIZED_BODY,
            'the authorizer function answered Unauthorized',
          );
        }
        if (!unauthorized && fault === 'authorizer-crash-fails-open') {
          return { ok: true, principalId: 'anonymous', context: { principalId: 'anonymous' }, cached: false };
        }
        // The function's own message may quote the token: only our timeout's message is kept.
        const reason = err instanceof FunctionTimeout ? err.message : 'the authorizer function threw';
        return rejection('AUTHORIZER_CONFIGURATION_ERROR', CONFIGURATION_ERROR_BODY, reason);
      }
      let result: AcceptedResult;
      try {
        result = acceptResult(answer);
      } catch (err) {
        const reason = err instanceof MalformedResultError ? err.message : 'unreadable';
        return rejection(
          'AUTHORIZER_CONFIGURATION_ERROR',
          CONFIGURATION_ERROR_BODY,
          `malformed authorizer result: ${reason}`,
        );
      }
      if (fault === 'authorizer-context-strings-only') result = withStringContextOnly(result, answer);
      cache.set(key, result);
      return decide(result, request, false);
    },
  };
}

/** The identity-source values as one key: kept apart, or (under faults) merged, cut or forgotten. */
function cacheKey(values: readonly string[], fault: LambdaAuthorizerFaultName | undefined): string {
  if (fault === 'authorizer-cache-ignores-identity') return '';
  if (fault === 'authorizer-cache-key-concatenated') return values.join('');
  if (fault === 'authorizer-cache-first-source-only') return JSON.stringify(values.slice(0, 1));
  return JSON.stringify(values);
}

/** A header by lower-case name; repeated headers joined as HTTP allows. */
function headerValue(headers: LambdaAuthorizerRequest['headers'], name: string): string | undefined {
  const direct = headers[name];
  const value =
    direct ?? Object.entries(headers).find(([candidate]) => candidate.toLowerCase() === name)?.[1];
  return typeof value === 'string' ? value : value?.join(', ');
}

/** What a gateway that forwards only string context values keeps of a result. */
function withStringContextOnly(result: AcceptedResult, answer: unknown): AcceptedResult {
  const original = (answer as { context?: Record<string, unknown> }).context ?? {};
  const context = Object.fromEntries(
    Object.entries(result.context).filter(([key]) => typeof original[key] === 'string'),
  );
  return { ...result, context };
}
