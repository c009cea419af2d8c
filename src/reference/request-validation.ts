import ajvDraft04, { type ValidateFunction } from 'ajv-draft-04';
import type { ApiMethod } from './api-model.js';
import type { FaultName } from './faults.js';
import { gatewayResponse } from './gateway-responses.js';
import type { ParameterLocation } from './method-request.js';
import type { RequestContext, Step } from './pipeline.js';
import type { GatewayRuntime } from './runtime.js';
import { faultyModel } from './validation-faults.js';

/**
 * API Gateway's basic request validation, before the integration is ever called: required
 * parameters must be present and not blank, and a body whose media type has a model must match it
 * (JSON Schema draft 4). A media type without a model is not validated.
 */
export function requestValidationStep(gw: GatewayRuntime): Step {
  const validators = new BodyValidators(gw.fault);
  // The fault runs both checks on every validated method, whatever its validator says.
  const both = gw.fault === 'validation-validator-kind-ignored';
  return (ctx, next) => {
    const route = ctx.route!;
    const { validate } = route.request;
    const any = validate.parameters || validate.body;
    if ((validate.parameters || (both && any)) && gw.fault !== 'validation-params-skipped') {
      const missing = missingParameters(ctx, route, gw.fault);
      if (missing.length > 0) {
        const named = gw.fault === 'validation-first-missing-only' ? missing.slice(0, 1) : missing;
        ctx.validationError = `Missing required request parameters: [${named.join(', ')}]`;
        return gatewayResponse('BAD_REQUEST_PARAMETERS', { message: ctx.validationError });
      }
    }
    if ((validate.body || (both && any)) && gw.fault !== 'validation-body-skipped') {
      const problem = validators.check(route, ctx);
      if (problem !== undefined) {
        ctx.validationError = problem;
        return gatewayResponse('BAD_REQUEST_BODY');
      }
      // The fault: the validator read the body and left nothing for the integration.
      if (gw.fault === 'validation-consumes-body') Object.assign(ctx, { body: Buffer.alloc(0) });
    }
    return next();
  };
}

function missingParameters(ctx: RequestContext, route: ApiMethod, fault: FaultName | undefined): string[] {
  return route.request.required
    .filter((p) => {
      const value = parameterValue(ctx, p.in, p.name, fault);
      return fault === 'validation-blank-accepted' ? value === undefined : blank(value);
    })
    .map((p) => p.name);
}

/** The parameter as the caller sent it; a path parameter is present whenever the route matched. */
function parameterValue(
  ctx: RequestContext,
  where: ParameterLocation,
  name: string,
  fault: FaultName | undefined,
): string | undefined {
  if (where === 'querystring') {
    if (fault !== 'validation-query-name-case-insensitive') return ctx.query.get(name) ?? undefined;
    for (const [key, value] of ctx.query) if (key.toLowerCase() === name.toLowerCase()) return value;
    return undefined;
  }
  if (where === 'header') {
    if (fault === 'validation-header-name-case-sensitive') {
      const at = ctx.rawHeaders.findIndex((raw, i) => i % 2 === 0 && raw === name);
      return at === -1 ? undefined : ctx.rawHeaders[at + 1];
    }
    const value = ctx.headers[name.toLowerCase()];
    return Array.isArray(value) ? value.join(',') : value;
  }
  return 'path';
}

function blank(value: string | undefined): boolean {
  return value === undefined || value.trim() === '';
}

/** One compiled draft-4 validator per model, compiled on first use. */
class BodyValidators {
  // The package is CommonJS: under ESM its default import is the module, whose `default` is the class.
  private readonly ajv = new ajvDraft04.default({ allErrors: true, strict: false });
  private readonly compiled = new Map<object, ValidateFunction>();

  constructor(private readonly fault: FaultName | undefined) {}

  /** The validation error string, or undefined when the body is valid or has no model. */
  check(route: ApiMethod, ctx: RequestContext): string | undefined {
    const model = this.modelFor(route, ctx);
    if (!model) return undefined;
    let body: unknown;
    try {
      body = JSON.parse(ctx.body.toString('utf8'));
    } catch {
      return '[Invalid JSON in request body]';
    }
    let validate = this.compiled.get(model);
    if (!validate) {
      validate = this.ajv.compile(faultyModel(model, this.fault));
      this.compiled.set(model, validate);
    }
    if (validate(body)) return undefined;
    // Double quotes, as API Gateway's own strings have: templates escape them for JSON.
    const errors = (validate.errors ?? []).map(
      (e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`,
    );
    return `[${errors.join(', ').replaceAll("'", '"')}]`;
  }

  private modelFor(route: ApiMethod, ctx: RequestContext): object | undefined {
    const { models } = route.request;
    if (this.fault === 'validation-any-media-type') return Object.values(models)[0];
    const contentType = String(ctx.headers['content-type'] ?? 'application/json').toLowerCase();
    // The fault compares the whole header, parameters included, as naive implementations do.
    const mediaType =
      this.fault === 'validation-media-type-exact' ? contentType : contentType.split(';')[0]!.trim();
    return models[mediaType];
  }
}
