import { UsageError } from '../usage-error.js';
import { type Authorizer, type AuthorizerSetup, refusalReply } from './authorizers.js';
import type { FaultName } from './faults.js';
import {
  createLambdaAuthorizer,
  LAMBDA_AUTHORIZER_FAULTS,
  type LambdaAuthorizerFaultName,
} from './lambda-authorizer.js';
import { REFERENCE_AUTHORIZER_URI } from './lambda-authorizer-function.js';
import type { RequestContext } from './pipeline.js';

/**
 * A Lambda authorizer (`CUSTOM`, TOKEN or REQUEST) as the scheme's `x-amazon-apigateway-authorizer`
 * declares it, running the reference authorizer function; its principal and context reach the
 * integration as `$context.authorizer.*`.
 */

function isLambdaFault(fault: FaultName | undefined): fault is LambdaAuthorizerFaultName {
  return LAMBDA_AUTHORIZER_FAULTS.some((candidate) => candidate.name === fault);
}

export function lambdaAuthorizer(setup: AuthorizerSetup): Authorizer {
  const { authorization, config, clock, fault } = setup;
  const scheme = authorization.scheme ?? authorization.type;
  const raw = authorization.authorizer ?? {};
  const type = String(raw.type).toUpperCase();
  if (type !== 'TOKEN' && type !== 'REQUEST') {
    throw new UsageError(`security scheme ${scheme}: authorizer type ${raw.type} is not TOKEN or REQUEST`);
  }
  if (raw.authorizerUri !== REFERENCE_AUTHORIZER_URI) {
    throw new UsageError(
      `security scheme ${scheme}: authorizerUri ${raw.authorizerUri}: the reference gateway runs only ${REFERENCE_AUTHORIZER_URI}`,
    );
  }
  let authorizer: ReturnType<typeof createLambdaAuthorizer>;
  try {
    authorizer = createLambdaAuthorizer({
      type,
      fn: setup.functions.reference,
      identitySource: String(raw.identitySource ?? ''),
      ...(typeof raw.identityValidationExpression === 'string' && {
        identityValidationExpression: raw.identityValidationExpression,
      }),
      ...(typeof raw.authorizerResultTtlInSeconds === 'number' && {
        resultTtlSeconds: raw.authorizerResultTtlInSeconds,
      }),
      now: () => clock.now(),
      ...(isLambdaFault(fault) && { fault }),
    });
  } catch (err) {
    throw new UsageError(`security scheme ${scheme}: ${(err as Error).message}`);
  }

  return async (ctx: RequestContext) => {
    const outcome = await authorizer.authorize({
      methodArn: setup.methodArn(ctx),
      httpMethod: ctx.httpMethod,
      resourcePath: ctx.route?.resourcePath ?? '/',
      path: ctx.path,
      headers:
        fault === 'authorizer-identity-header-case-sensitive' ? asWritten(ctx.rawHeaders) : ctx.headers,
      query: ctx.query,
      stageVariables: { ...config.stage.variables },
      stage: config.stage.name,
      requestId: ctx.requestId,
    });
    if (!outcome.ok) return refusalReply(outcome);
    ctx.authorizerContext = outcome.context;
    return undefined;
  };
}

/** The headers keyed by their names as written, for the fault that looks names up case-sensitively. */
function asWritten(rawHeaders: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) headers[rawHeaders[i]!] = rawHeaders[i + 1]!;
  return headers;
}
