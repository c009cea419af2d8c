import { apiKeyStep } from './api-keys.js';
import type { ApiMethod } from './api-model.js';
import { authorizeStep } from './authorizers.js';
import { isPreflight } from './cors-policy.js';
import { compose, type Step } from './pipeline.js';
import type { GatewayRuntime } from './runtime.js';

/**
 * CORS around the whole pipeline, so gateway-made errors can carry it too. HTTP style answers a
 * preflight here, before routing and authorization: a preflight never carries credentials, so
 * an authorizer in front of it would break every browser client.
 */
export function corsStep(gw: GatewayRuntime): Step {
  const cors = gw.cors;
  if (!cors) return (_ctx, next) => next();
  const answersPreflight = cors.config.style === 'http' && gw.fault !== 'cors-preflight-not-answered';
  return async (ctx, next) => {
    if (answersPreflight && isPreflight(ctx.httpMethod, ctx.headers)) {
      if (gw.fault !== 'cors-preflight-requires-auth') return cors.preflight(ctx.headers, 204);
      // The fault: the preflight is authorized like the method it asks about.
      const asked = String(ctx.headers['access-control-request-method']);
      ctx.route = gw.router.match(asked, ctx.path);
      if (ctx.route) {
        const authorize = compose([
          authorizeStep(gw),
          apiKeyStep(gw),
          () => cors.preflight(ctx.headers, 204),
        ]);
        const reply = await authorize(ctx);
        return reply.gatewayResponse ? cors.decorate(reply, ctx.headers) : reply;
      }
      return cors.preflight(ctx.headers, 204);
    }
    const reply = await next();
    // The REST OPTIONS method's mock already answered with the preflight headers.
    return ctx.route && gw.corsOptionsMethods.has(ctx.route) ? reply : cors.decorate(reply, ctx.headers);
  };
}

/** REST style: the mock integration of the OPTIONS methods, placed just before the real integration. */
export function corsOptionsMockStep(gw: GatewayRuntime): Step {
  return (ctx, next) =>
    ctx.route && gw.corsOptionsMethods.has(ctx.route) && gw.cors
      ? gw.cors.preflight(ctx.headers, 200)
      : next();
}

/**
 * REST style: an OPTIONS method with a mock integration on every resource that has none, as the
 * console's "Enable CORS" adds. It needs no authorization and no key, unless the fault gives it
 * those of the resource's other methods.
 */
export function corsOptionsMethods(
  gw: Pick<GatewayRuntime, 'cors' | 'fault'>,
  methods: readonly ApiMethod[],
): ApiMethod[] {
  if (gw.cors?.config.style !== 'rest' || gw.fault === 'cors-preflight-not-answered') return [];
  const byResource = new Map<string, ApiMethod[]>();
  for (const method of methods) {
    byResource.set(method.resourcePath, [...(byResource.get(method.resourcePath) ?? []), method]);
  }
  const out: ApiMethod[] = [];
  for (const [resourcePath, resourceMethods] of byResource) {
    if (resourceMethods.some((m) => m.httpMethod === 'OPTIONS')) continue;
    const inherit = gw.fault === 'cors-preflight-requires-auth' ? resourceMethods[0] : undefined;
    out.push({
      resourcePath,
      httpMethod: 'OPTIONS',
      methodKey: `${resourcePath}/OPTIONS`,
      apiKeyRequired: inherit?.apiKeyRequired ?? false,
      authorization: inherit?.authorization ?? { type: 'NONE', scopes: [] },
      integration: {
        type: 'mock',
        httpMethod: 'OPTIONS',
        uri: '',
        cacheKeyParameters: [],
        requestParameters: {},
        requestTemplates: {},
        passthroughBehavior: 'WHEN_NO_MATCH',
        responses: [],
      },
      request: { validate: { body: false, parameters: false }, required: [], models: {} },
    });
  }
  return out;
}
