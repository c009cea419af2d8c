import ajvDraft04, { type ValidateFunction } from 'ajv-draft-04';
import type { ApiMethod } from './api-model.js';
import { gatewayResponse } from './gateway-responses.js';
import type { ParameterLocation } from './method-request.js';
import type { RequestContext, Step } from './pipeline.js';
import type { GatewayRuntime } from './runtime.js';

/**
 * API Gateway's basic request validation, before the integration is ever called: required
 * parameters must be present and not blank, and a body whose media type has a model must match it
 * (JSON Schema draft 4). A media type without a model is not validated.
 */
export function requestValidationStep(gw: GatewayRuntime): Step {
  const validators = new BodyValidators();
  return (ctx, next) => {
    const route = ctx.route!;
    const { validate } = route.request;
    if (validate.parameters) {
      const missing = missingParameters(ctx, route, gw.fault === 'validation-blank-accepted');
      if (missing.length > 0) {
        ctx.validationError = `Missing required request parameters: [${missing.join(', ')}]`;
        return gatewayResponse('BAD_REQUEST_PARAMETERS', { message: ctx.validationError });
      }
    }
    if (validate.body && gw.fault !== 'validation-body-skipped') {
      const problem = validators.check(route, ctx, gw.fault);
      if (problem !== undefined) {
        ctx.validationError = problem;
        return gatewayResponse('BAD_REQUEST_BODY');
      }
    }
    return next();
  };
}

function missingParameters(ctx: RequestContext, route: ApiMethod, blankAccepted: boolean): string[] {
  return route.request.required
    .filter((p) => {
      const value = parameterValue(ctx, p.in, p.name);
      return blankAccepted ? value === undefined : blank(value);
    })
    .map((p) => p.name);
}

/** The parameter as the caller sent it; a path parameter is present whenever the route matched. */
function parameterValue(ctx: RequestContext, where: ParameterLocation, name: string): string | undefined {
  if (where === 'querystring') return ctx.query.get(name) ?? undefined;
  if (where === 'header') {
    const value = ctx.headers[name.toLowerCase()];
    return Array.isArray(value) ? value.join(',') : value;
  }
  return 'path';
}

function blank(value: string | undefined): boolean {
  return value === undefined || value.trim() === '';
}

/** One compiled draft-4 validator per method and media type, compiled on first use. */
class BodyValidators {
  // The package is CommonJS: under ESM its default import is the module, whose `default` is the class.
  private readonly ajv = new ajvDraft04.default({ allErrors: true, strict: false });
  private readonly compiled = new Map<object, ValidateFunction>();

  /** The validation error string, or undefined when the body is valid or has no model. */
  check(route: ApiMethod, ctx: RequestContext, fault: string | undefined): string | undefined {
    const contentType = String(ctx.headers['content-type'] ?? 'application/json').toLowerCase();
    // The fault compares the whole header, parameters included, as naive implementations do.
    const mediaType =
      fault === 'validation-media-type-exact' ? contentType : contentType.split(';')[0]!.trim();
    const model = route.request.models[mediaType];
    if (!model) return undefined;
    let body: unknown;
    try {
      body = JSON.parse(ctx.body.toString('utf8'));
    } catch {
      return '[Invalid JSON in request body]';
    }
    const schema = fault === 'validation-top-level-only' ? topLevelOnly(model) : model;
    const validate = this.compiled.get(schema) ?? this.ajv.compile(schema);
    // A fault's schema is made anew per request; only the faithful ones are worth keeping.
    if (schema === model) this.compiled.set(schema, validate);
    if (validate(body)) return undefined;
    // Double quotes, as API Gateway's own strings have: templates escape them for JSON.
    const errors = (validate.errors ?? []).map(
      (e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`,
    );
    return `[${errors.join(', ').replaceAll("'", '"')}]`;
  }
}

/** The fault: nested objects and array items are taken on trust. */
function topLevelOnly(model: object): object {
  const { properties, ...rest } = model as { properties?: Record<string, object> };
  if (!properties) return rest;
  return {
    ...rest,
    properties: Object.fromEntries(
      Object.entries(properties).map(([name, schema]) => {
        const { type } = schema as { type?: unknown };
        return [name, type === 'object' || type === 'array' ? { type } : schema];
      }),
    ),
  };
}
