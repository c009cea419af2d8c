import type { ApiMethod, IntegrationResponse } from './api-model.js';
import { gatewayResponse } from './gateway-responses.js';
import { MappingTemplateError, type MethodParams, renderTemplate } from './mapping-template.js';
import type { Reply, RequestContext } from './pipeline.js';
import { type IntegrationRequest, requestHeaders } from './proxy.js';
import type { GatewayRuntime } from './runtime.js';
import { methodParams, templateContext } from './template-context.js';

/**
 * The HTTP (non-proxy) integration: only what the method maps reaches the integration (parameters
 * by `requestParameters`, the body through the template of its media type or passed through as
 * `passthroughBehavior` allows), and the answer goes back through the matching integration
 * response's header mappings and template.
 */
export async function httpIntegration(
  gw: GatewayRuntime,
  ctx: RequestContext,
  route: ApiMethod,
): Promise<Reply> {
  const params = methodParams(ctx);
  const context = templateContext(gw, ctx);
  let request: IntegrationRequest | Reply;
  try {
    request = mappedRequest(gw, ctx, route, params, context);
  } catch (err) {
    if (err instanceof MappingTemplateError) return gatewayResponse('API_CONFIGURATION_ERROR');
    throw err;
  }
  if ('status' in request) return request;
  const answer = await gw.proxy.send(route, request);
  if (answer.gatewayResponse) return answer;
  try {
    return mappedResponse(gw, ctx, route, answer, params, context);
  } catch (err) {
    if (err instanceof MappingTemplateError) return gatewayResponse('API_CONFIGURATION_ERROR');
    throw err;
  }
}

function mappedRequest(
  gw: GatewayRuntime,
  ctx: RequestContext,
  route: ApiMethod,
  params: MethodParams,
  context: Record<string, unknown>,
): IntegrationRequest | Reply {
  const { integration } = route;
  // The fault relays the caller's own headers and query, as a proxy would, under the mapped ones.
  const leak = gw.fault === 'transform-headers-leaked';
  const headers: Record<string, string> = leak ? requestHeaders(ctx, gw.fault) : {};
  const query = new URLSearchParams(leak ? ctx.rawQuery : '');
  for (const [target, source] of Object.entries(integration.requestParameters)) {
    const value = parameterSource(source, params, gw.stageVariables, context, gw.fault);
    if (value === undefined) continue;
    const [, where, name] = /^integration\.request\.(header|querystring)\.(.+)$/.exec(target) ?? [];
    if (where === 'header' && name) headers[name.toLowerCase()] = value;
    else if (where === 'querystring' && name) query.append(name, value);
    // The fault sends a renamed parameter under its original name as well.
    const original = /^method\.request\.querystring\.(.+)$/.exec(source)?.[1];
    if (gw.fault === 'transform-query-copied' && where === 'querystring' && original && original !== name)
      query.append(original, value);
  }
  if (ctx.traceId) headers['x-amzn-trace-id'] = ctx.traceId;
  const mediaType = requestMediaType(ctx);
  const templates = integration.requestTemplates;
  const template = templates[mediaType];
  let body = ctx.body;
  if (template !== undefined && gw.fault !== 'transform-request-template-skipped') {
    body = Buffer.from(
      renderTemplate(template, {
        body: ctx.body.toString('utf8'),
        params,
        context,
        stageVariables: gw.stageVariables,
      }),
    );
    // A Content-Type the method maps itself wins over the template's media type.
    headers['content-type'] ??= mediaType;
  } else if (template === undefined) {
    if (!passesThrough(integration.passthroughBehavior, Object.keys(templates).length > 0, gw.fault))
      return gatewayResponse('UNSUPPORTED_MEDIA_TYPE');
    const contentType = ctx.headers['content-type'];
    if (contentType) headers['content-type'] = contentType;
  }
  return {
    method: integration.httpMethod === 'ANY' ? ctx.httpMethod : integration.httpMethod,
    query: query.toString(),
    headers,
    body,
  };
}

/** Whether a body whose media type has no template may go to the integration unchanged. */
function passesThrough(
  behavior: ApiMethod['integration']['passthroughBehavior'],
  hasTemplates: boolean,
  fault: string | undefined,
): boolean {
  if (fault === 'transform-passthrough-always') return true;
  if (behavior === 'NEVER' || fault === 'transform-passthrough-never') return false;
  if (behavior === 'WHEN_NO_TEMPLATES') return !hasTemplates;
  return true;
}

/** A request without a Content-Type is mapped as JSON, as API Gateway does. */
function requestMediaType(ctx: RequestContext): string {
  const raw = ctx.headers['content-type'];
  return raw ? raw.split(';')[0]!.trim().toLowerCase() : 'application/json';
}

function mappedResponse(
  gw: GatewayRuntime,
  ctx: RequestContext,
  route: ApiMethod,
  answer: Reply,
  params: MethodParams,
  context: Record<string, unknown>,
): Reply {
  const responses = route.integration.responses;
  const response =
    gw.fault === 'transform-selection-pattern-ignored'
      ? responses.find((r) => !r.selectionPattern)
      : integrationResponse(responses, answer.status);
  if (!response) return answer;
  const body = answer.body.toString();
  // The fault relays the integration's own headers, as a proxy would, under the mapped ones.
  const headers: Record<string, string | string[]> =
    gw.fault === 'transform-response-headers-relayed' ? { ...answer.headers } : {};
  for (const [target, source] of Object.entries(response.responseParameters)) {
    const name = /^method\.response\.header\.(.+)$/.exec(target)?.[1];
    const value = responseSource(source, answer, body, gw.fault);
    if (name && value !== undefined) headers[name.toLowerCase()] = value;
  }
  const acceptHeader = String(ctx.headers.accept ?? '');
  const accept = (gw.fault === 'transform-accept-unparsed' ? acceptHeader : acceptHeader.split(/[,;]/)[0]!)
    .trim()
    .toLowerCase();
  const templates = response.responseTemplates;
  const mediaType =
    templates[accept] !== undefined
      ? accept
      : templates['application/json'] !== undefined
        ? 'application/json'
        : Object.keys(templates)[0];
  const template = mediaType === undefined ? undefined : templates[mediaType];
  headers['content-type'] = mediaType ?? 'application/json';
  const mapped =
    template === undefined || gw.fault === 'transform-response-template-skipped'
      ? body
      : renderTemplate(template, { body, params, context, stageVariables: gw.stageVariables });
  return { status: response.statusCode, headers, body: mapped };
}

/** The first response whose selection pattern matches the status, else `default`. */
function integrationResponse(
  responses: readonly IntegrationResponse[],
  status: number,
): IntegrationResponse | undefined {
  return responses.find((r) => !r.selectionPattern || r.selectionPattern.test(String(status)));
}

/** A request parameter's value: a method request parameter, a context or stage variable, or a literal. */
function parameterSource(
  source: string,
  params: MethodParams,
  stageVariables: Readonly<Record<string, string>>,
  context: Record<string, unknown>,
  fault?: string,
): string | undefined {
  const literal = /^'(.*)'$/.exec(source);
  // The fault keeps a literal's quotes, as a hand-rolled mapper that forgets to strip them does.
  if (literal) return fault === 'transform-literal-quotes-kept' ? source : literal[1];
  const [, where, name] = /^method\.request\.(header|querystring|path)\.(.+)$/.exec(source) ?? [];
  if (where && name) {
    const values = params[where as keyof MethodParams];
    return where === 'header' ? values[name.toLowerCase()] : values[name];
  }
  const stage = /^stageVariables\.(.+)$/.exec(source)?.[1];
  if (stage) return stageVariables[stage];
  const contextPath = /^context\.(.+)$/.exec(source)?.[1];
  if (contextPath) {
    const value = contextPath
      .split('.')
      .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], context);
    return value === undefined ? undefined : String(value);
  }
  return undefined;
}

/** A response parameter's value: an integration response header, a JSON field of its body, or a literal. */
function responseSource(source: string, answer: Reply, body: string, fault?: string): string | undefined {
  const literal = /^'(.*)'$/.exec(source);
  if (literal) return fault === 'transform-literal-quotes-kept' ? source : literal[1];
  const header = /^integration\.response\.header\.(.+)$/.exec(source)?.[1];
  if (header) {
    const value = answer.headers[header.toLowerCase()];
    return Array.isArray(value) ? value.join(',') : value;
  }
  const field = /^integration\.response\.body\.(.+)$/.exec(source)?.[1];
  if (field) {
    try {
      const value = field
        .split('.')
        .reduce<unknown>(
          (node, key) => (node as Record<string, unknown> | undefined)?.[key],
          JSON.parse(body),
        );
      return value === undefined || value === null
        ? undefined
        : typeof value === 'string'
          ? value
          : JSON.stringify(value);
    } catch {
      return undefined;
    }
  }
  return undefined;
}
