import type { MethodParams } from './mapping-template.js';
import type { RequestContext } from './pipeline.js';
import type { GatewayRuntime } from './runtime.js';

/** `$context` as mapping templates and parameter mappings see it. */
export function templateContext(gw: GatewayRuntime, ctx: RequestContext): Record<string, unknown> {
  return {
    requestId: ctx.requestId,
    httpMethod: ctx.httpMethod,
    resourcePath: ctx.route?.resourcePath ?? '',
    stage: gw.stage,
    ...(gw.deploymentId === undefined ? {} : { deploymentId: gw.deploymentId }),
    apiId: gw.apiId,
    identity: { sourceIp: ctx.sourceIp, userAgent: single(ctx.headers['user-agent']) ?? '' },
    authorizer: { ...ctx.authorizerContext },
  };
}

/** The method request's parameters, one value each (the first of a repeated query parameter). */
export function methodParams(ctx: RequestContext): MethodParams {
  const querystring: Record<string, string> = {};
  for (const [name, value] of ctx.query) if (!(name in querystring)) querystring[name] = value;
  const header: Record<string, string> = {};
  for (const name in ctx.headers) {
    const value = single(ctx.headers[name]);
    if (value !== undefined) header[name] = value;
  }
  return { path: {}, querystring, header };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}
