import type { ApiMethod } from './api-model.js';
import { gatewayResponse } from './gateway-responses.js';
import type { Step } from './pipeline.js';
import type { GatewayRuntime } from './runtime.js';

/** Finds the API method for `/{stage}/resource` and a method; anything else is no method at all. */
export class Router {
  private readonly methods = new Map<string, ApiMethod>();
  private readonly prefix: string;

  constructor(stage: string, methods: readonly ApiMethod[]) {
    this.prefix = `/${stage}`;
    for (const method of methods) this.methods.set(`${method.httpMethod} ${method.resourcePath}`, method);
  }

  match(httpMethod: string, path: string): ApiMethod | undefined {
    if (!path.startsWith(this.prefix)) return undefined;
    const resourcePath = path.slice(this.prefix.length) || '/';
    if (!resourcePath.startsWith('/')) return undefined;
    return this.methods.get(`${httpMethod} ${resourcePath}`);
  }
}

/**
 * REST APIs answer an unknown stage, resource or method with 403 Missing Authentication Token
 * rather than 404, so a caller cannot tell a missing route from a protected one.
 */
export function routeStep(gw: GatewayRuntime): Step {
  return (ctx, next) => {
    const route = gw.router.match(ctx.httpMethod, ctx.path);
    // An HTTP API answers 404; a REST API 403, unless the fault makes it say 404 too.
    const notFound = gw.apiType === 'HTTP' || gw.fault === 'unknown-route-not-found';
    if (!route) return gatewayResponse(notFound ? 'RESOURCE_NOT_FOUND' : 'MISSING_AUTHENTICATION_TOKEN');
    ctx.route = route;
    return next();
  };
}
