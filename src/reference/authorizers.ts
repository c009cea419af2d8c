import type { ApiModel, Authorization, AuthorizationType } from './api-model.js';
import type { Clock } from './clock.js';
import type { GatewayConfig } from './config.js';
import type { FaultName } from './faults.js';
import { gatewayResponse } from './gateway-responses.js';
import { iamAuthorizer } from './iam-authorization.js';
import { methodArn } from './iam-policy.js';
import { jwtAuthorizer } from './jwt-authorization.js';
import { lambdaAuthorizer } from './lambda-authorization.js';
import {
  createReferenceAuthorizerFunction,
  type ReferenceAuthorizerFunction,
} from './lambda-authorizer-function.js';
import type { Reply, RequestContext, Step } from './pipeline.js';
import type { GatewayRuntime } from './runtime.js';

/**
 * Answers a gateway response to refuse the caller, or undefined to let it through (having put what
 * it learned on the context: the authorizer context, the credentials it consumed).
 */
export type Authorizer = (ctx: RequestContext) => Reply | undefined | Promise<Reply | undefined>;

/** What an authorizer is built from: one security scheme of the API, on one stage. */
export interface AuthorizerSetup {
  authorization: Authorization;
  config: GatewayConfig;
  clock: Clock;
  fault: FaultName | undefined;
  /** The stage's Lambda authorizer functions, shared by every authorizer that names them. */
  functions: { reference: ReferenceAuthorizerFunction };
  /** `arn:aws:execute-api:{region}:{account}:{api}/{stage}/{METHOD}/{resource}` of the request. */
  methodArn(ctx: RequestContext): string;
}

/** One authorizer factory per authorization type the gateway can enforce. */
const AUTHORIZERS: Record<Exclude<AuthorizationType, 'NONE'>, (setup: AuthorizerSetup) => Authorizer> = {
  AWS_IAM: iamAuthorizer,
  JWT: jwtAuthorizer,
  COGNITO_USER_POOLS: jwtAuthorizer,
  CUSTOM: lambdaAuthorizer,
};

export interface StageAuthorizers {
  /** By security scheme name: one authorizer, with its caches, serves every method naming it. */
  byScheme: ReadonlyMap<string, Authorizer>;
}

export function createAuthorizers(
  model: ApiModel,
  config: GatewayConfig,
  clock: Clock,
  fault: FaultName | undefined,
): StageAuthorizers {
  const functions = { reference: createReferenceAuthorizerFunction() };
  const arnOf = (ctx: RequestContext): string =>
    methodArn({
      region: config.region,
      accountId: config.accountId,
      apiId: config.apiId,
      stage: config.stage.name,
      method: ctx.httpMethod,
      path: ctx.route?.resourcePath ?? '/',
    });
  const byScheme = new Map<string, Authorizer>();
  for (const { authorization } of model.methods) {
    const { type, scheme } = authorization;
    if (type === 'NONE' || scheme === undefined || byScheme.has(scheme)) continue;
    byScheme.set(
      scheme,
      AUTHORIZERS[type]({ authorization, config, clock, fault, functions, methodArn: arnOf }),
    );
  }
  return { byScheme };
}

/**
 * A method whose scheme has no authorizer here fails closed, with the response API Gateway gives
 * when it cannot run an authorizer: an oracle must never let such a call through.
 */
export function authorizeStep(gw: GatewayRuntime): Step {
  return (ctx, next) => {
    const { type, scheme } = ctx.route?.authorization ?? { type: 'NONE' };
    if (type === 'NONE') return next();
    const authorizer = scheme === undefined ? undefined : gw.authorizers.byScheme.get(scheme);
    if (!authorizer) return gatewayResponse('AUTHORIZER_CONFIGURATION_ERROR');
    const refusal = authorizer(ctx);
    return refusal instanceof Promise ? refusal.then((reply) => reply ?? next()) : (refusal ?? next());
  };
}

const STAGE_VARIABLE = /\$\{stageVariables\.([A-Za-z0-9_]+)\}/g;

/** A value of the authorizer's configuration with stage variables filled in; undefined when one is not set. */
export function withStageVariables(
  value: unknown,
  variables: Readonly<Record<string, string>>,
): string | undefined {
  if (typeof value !== 'string') return undefined;
  let missing = false;
  const filled = value.replace(STAGE_VARIABLE, (_match, name: string) => {
    const found = variables[name];
    if (found === undefined) missing = true;
    return found ?? '';
  });
  return missing ? undefined : filled;
}

/** Renders an authorizer's refusal as the gateway response of its type. */
export function refusalReply(refusal: {
  type: 'UNAUTHORIZED' | 'ACCESS_DENIED' | 'AUTHORIZER_CONFIGURATION_ERROR';
  body: Record<string, string | null>;
  headers: Record<string, string>;
}): Reply {
  return gatewayResponse(refusal.type, { body: refusal.body, headers: refusal.headers });
}
