import { HTTP_METHODS, type OpenApiDocument, resolveRef } from '../contract/load-contract.js';
import { UsageError } from '../usage-error.js';
import { type MethodRequest, methodRequest } from './method-request.js';

/** How a method authorizes callers, in the terms of API Gateway's `authorizationType`. */
export type AuthorizationType = 'NONE' | 'AWS_IAM' | 'CUSTOM' | 'JWT' | 'COGNITO_USER_POOLS';

export interface Authorization {
  type: AuthorizationType;
  /** The security scheme's name in the contract. */
  scheme?: string;
  /** Scopes the method requires (JWT, Cognito). */
  scopes: readonly string[];
  /** The scheme's `x-amazon-apigateway-authorizer`, as written. */
  authorizer?: Readonly<Record<string, unknown>>;
}

/** What a non-proxy integration does with a body whose content type has no template. */
export type PassthroughBehavior = 'WHEN_NO_MATCH' | 'WHEN_NO_TEMPLATES' | 'NEVER';

/** One integration response: chosen by matching its selection pattern against the status. */
export interface IntegrationResponse {
  /** A regular expression over the integration's status code; `default` has none. */
  selectionPattern?: RegExp;
  statusCode: number;
  /** `method.response.header.X` → `integration.response.header.Y` or `'literal'`. */
  responseParameters: Readonly<Record<string, string>>;
  responseTemplates: Readonly<Record<string, string>>;
}

export interface Integration {
  /**
   * `http_proxy` relays the request as it came; `http` maps it through parameters and templates.
   * `mock` only for the OPTIONS methods REST-style CORS adds.
   */
  type: 'http_proxy' | 'http' | 'mock';
  /** `ANY` passes the caller's method through. */
  httpMethod: string;
  /** The URI template, stage variables not yet substituted. */
  uri: string;
  cacheKeyParameters: readonly string[];
  cacheNamespace?: string;
  /** The method's own integration timeout (`timeoutInMillis`); the stage's when absent. */
  timeoutMs?: number;
  /** `integration.request.(header|querystring).X` → `method.request.(...).Y`, `context.Z` or `'literal'`. */
  requestParameters: Readonly<Record<string, string>>;
  requestTemplates: Readonly<Record<string, string>>;
  passthroughBehavior: PassthroughBehavior;
  responses: readonly IntegrationResponse[];
}

/** One method of one resource, as API Gateway holds it after importing the contract. */
export interface ApiMethod {
  resourcePath: string;
  httpMethod: string;
  /** The key of method-level settings and throttles: "/pets/GET". */
  methodKey: string;
  operationId?: string;
  apiKeyRequired: boolean;
  authorization: Authorization;
  integration: Integration;
  request: MethodRequest;
}

export interface ApiModel {
  title: string;
  apiKeySource: 'HEADER' | 'AUTHORIZER';
  methods: readonly ApiMethod[];
}

type Json = Record<string, unknown>;

const AUTHORIZER_TYPES: Record<string, AuthorizationType> = {
  token: 'CUSTOM',
  request: 'CUSTOM',
  jwt: 'JWT',
  cognito_user_pools: 'COGNITO_USER_POOLS',
};

/** Reads the contract the way an API Gateway import would; what it cannot serve is an error. */
export function apiModel(doc: OpenApiDocument): ApiModel {
  const apiKeySource = doc['x-amazon-apigateway-api-key-source'] ?? 'HEADER';
  if (apiKeySource !== 'HEADER' && apiKeySource !== 'AUTHORIZER') {
    throw new UsageError(
      `x-amazon-apigateway-api-key-source: expected HEADER or AUTHORIZER, found ${apiKeySource}`,
    );
  }
  const schemes = (doc.components?.securitySchemes ?? {}) as Json;
  const methods: ApiMethod[] = [];
  for (const [resourcePath, pathItemOrRef] of Object.entries(doc.paths)) {
    const pathItem = resolveRef<Json>(doc, pathItemOrRef);
    for (const method of HTTP_METHODS) {
      const operation = resolveRef<Json | undefined>(doc, pathItem[method]);
      if (!operation || operation['x-gateproof-probe-only'] === true) continue;
      const httpMethod = method.toUpperCase();
      const where = `${httpMethod} ${resourcePath}`;
      const security = (operation.security ?? (doc as { security?: unknown }).security ?? []) as Record<
        string,
        string[]
      >[];
      methods.push({
        resourcePath,
        httpMethod,
        methodKey: `${resourcePath}/${httpMethod}`,
        operationId: typeof operation.operationId === 'string' ? operation.operationId : undefined,
        ...methodSecurity(doc, schemes, security, where),
        integration: integration(doc, operation['x-amazon-apigateway-integration'], where),
        request: methodRequest(doc, operation, pathItem, where),
      });
    }
  }
  return { title: doc.info?.title ?? 'API', apiKeySource, methods };
}

function methodSecurity(
  doc: OpenApiDocument,
  schemes: Json,
  security: Record<string, string[]>[],
  where: string,
): { apiKeyRequired: boolean; authorization: Authorization } {
  let apiKeyRequired = false;
  let authorization: Authorization = { type: 'NONE', scopes: [] };
  // API Gateway takes every scheme named in the method's requirements: one authorizer plus, optionally, the key.
  for (const requirement of security) {
    for (const [name, scopes] of Object.entries(requirement)) {
      const scheme = resolveRef<Json | undefined>(doc, schemes[name]);
      if (!scheme) throw new UsageError(`${where}: security scheme ${name} is not defined`);
      if (isApiKeyScheme(scheme)) {
        apiKeyRequired = true;
        continue;
      }
      const type = authorizationType(scheme);
      if (!type) throw new UsageError(`${where}: security scheme ${name} is not an API Gateway authorizer`);
      if (authorization.type !== 'NONE' && authorization.scheme !== name) {
        throw new UsageError(`${where}: more than one authorizer (${authorization.scheme}, ${name})`);
      }
      const authorizer = scheme['x-amazon-apigateway-authorizer'] as Json | undefined;
      authorization = { type, scheme: name, scopes, ...(authorizer ? { authorizer } : {}) };
    }
  }
  return { apiKeyRequired, authorization };
}

function isApiKeyScheme(scheme: Json): boolean {
  return (
    scheme.type === 'apiKey' &&
    scheme.in === 'header' &&
    String(scheme.name).toLowerCase() === 'x-api-key' &&
    scheme['x-amazon-apigateway-authtype'] === undefined
  );
}

function authorizationType(scheme: Json): AuthorizationType | undefined {
  if (scheme['x-amazon-apigateway-authtype'] === 'awsSigv4') return 'AWS_IAM';
  const authorizer = scheme['x-amazon-apigateway-authorizer'] as Json | undefined;
  return authorizer ? AUTHORIZER_TYPES[String(authorizer.type).toLowerCase()] : undefined;
}

function integration(doc: OpenApiDocument, value: unknown, where: string): Integration {
  const raw = resolveRef<Json | undefined>(doc, value);
  if (!raw) throw new UsageError(`${where}: no x-amazon-apigateway-integration`);
  const type = String(raw.type).toLowerCase();
  if (type !== 'http_proxy' && type !== 'http')
    throw new UsageError(`${where}: integration type ${raw.type} is not supported`);
  if (typeof raw.uri !== 'string') throw new UsageError(`${where}: integration has no uri`);
  const timeout = raw.timeoutInMillis;
  if (
    timeout !== undefined &&
    (!Number.isInteger(timeout) || (timeout as number) < 50 || (timeout as number) > 29_000)
  )
    throw new UsageError(`${where}: timeoutInMillis must be an integer from 50 to 29000`);
  const passthrough = String(raw.passthroughBehavior ?? 'WHEN_NO_MATCH').toUpperCase();
  if (passthrough !== 'WHEN_NO_MATCH' && passthrough !== 'WHEN_NO_TEMPLATES' && passthrough !== 'NEVER')
    throw new UsageError(`${where}: passthroughBehavior ${passthrough} is not one of API Gateway's`);
  return {
    type,
    httpMethod: typeof raw.httpMethod === 'string' ? raw.httpMethod.toUpperCase() : 'ANY',
    uri: raw.uri,
    cacheKeyParameters: Array.isArray(raw.cacheKeyParameters) ? raw.cacheKeyParameters.map(String) : [],
    ...(typeof raw.cacheNamespace === 'string' ? { cacheNamespace: raw.cacheNamespace } : {}),
    ...(timeout !== undefined ? { timeoutMs: timeout as number } : {}),
    requestParameters: stringRecord(raw.requestParameters),
    requestTemplates: lowerKeys(stringRecord(raw.requestTemplates)),
    passthroughBehavior: passthrough,
    responses: integrationResponses(raw.responses, where),
  };
}

function stringRecord(value: unknown): Record<string, string> {
  if (!value || typeof value !== 'object') return {};
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

function lowerKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k.toLowerCase(), v]));
}

/** `responses` keyed by selection pattern, `default` last, as API Gateway tries them. */
function integrationResponses(value: unknown, where: string): IntegrationResponse[] {
  if (!value || typeof value !== 'object') return [];
  const entries = Object.entries(value as Json).sort(
    ([a], [b]) => Number(a === 'default') - Number(b === 'default'),
  );
  return entries.map(([pattern, raw]) => {
    const response = raw as Json;
    const statusCode = Number(response.statusCode ?? 200);
    if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599)
      throw new UsageError(`${where}: integration response ${pattern} has no valid statusCode`);
    let selectionPattern: RegExp | undefined;
    if (pattern !== 'default') {
      try {
        // API Gateway matches the whole status code against the pattern.
        selectionPattern = new RegExp(`^(?:${pattern})$`);
      } catch {
        throw new UsageError(`${where}: selection pattern ${pattern} is not a regular expression`);
      }
    }
    return {
      ...(selectionPattern ? { selectionPattern } : {}),
      statusCode,
      responseParameters: stringRecord(response.responseParameters),
      responseTemplates: lowerKeys(stringRecord(response.responseTemplates)),
    };
  });
}
