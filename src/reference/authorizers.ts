import type { AuthorizationType } from './api-model.js';
import { gatewayResponse } from './gateway-responses.js';
import type { Reply, RequestContext, Step } from './pipeline.js';
import type { GatewayRuntime } from './runtime.js';

/** Answers a gateway response to refuse the caller, or undefined to let it through. */
export type Authorizer = (
  ctx: RequestContext,
  gw: GatewayRuntime,
) => Reply | undefined | Promise<Reply | undefined>;

/** One authorizer per authorization type the gateway can enforce (SigV4, JWT and Lambda-style add theirs here). */
const AUTHORIZERS: Partial<Record<Exclude<AuthorizationType, 'NONE'>, Authorizer>> = {};

/**
 * A method whose authorization type has no authorizer here fails closed, with the response API
 * Gateway gives when it cannot reach an authorizer: an oracle must never let such a call through.
 */
export function authorizeStep(gw: GatewayRuntime): Step {
  return (ctx, next) => {
    const type = ctx.route?.authorization.type ?? 'NONE';
    if (type === 'NONE') return next();
    const authorizer = AUTHORIZERS[type];
    if (!authorizer) return gatewayResponse('AUTHORIZER_CONFIGURATION_ERROR');
    const refusal = authorizer(ctx, gw);
    return refusal instanceof Promise ? refusal.then((reply) => reply ?? next()) : (refusal ?? next());
  };
}
