import { type OpenApiDocument, resolveRef } from '../contract/load-contract.js';
import { UsageError } from '../usage-error.js';

/** Where a required request parameter lives, in API Gateway's own words. */
export type ParameterLocation = 'path' | 'querystring' | 'header';

/** What API Gateway checks of a method's request before it reaches the integration. */
export interface MethodRequest {
  /** The parts the method's request validator checks; both off when it names none. */
  validate: { body: boolean; parameters: boolean };
  /** Parameters marked required, checked for presence only. */
  required: readonly { in: ParameterLocation; name: string }[];
  /** Body models (JSON Schema draft 4) by media type; a media type without one is not validated. */
  models: Readonly<Record<string, object>>;
}

type Json = Record<string, unknown>;

const LOCATIONS: Record<string, ParameterLocation> = { path: 'path', query: 'querystring', header: 'header' };

/**
 * The method request as an import builds it: the validator named by the operation (or the API's
 * default), the parameters it requires and the models of its body.
 */
export function methodRequest(
  doc: OpenApiDocument,
  operation: Json,
  pathItem: Json,
  where: string,
): MethodRequest {
  const validators = (doc['x-amazon-apigateway-request-validators'] ?? {}) as Json;
  const name =
    operation['x-amazon-apigateway-request-validator'] ?? doc['x-amazon-apigateway-request-validator'];
  let validate = { body: false, parameters: false };
  if (name !== undefined) {
    const validator = validators[String(name)] as Json | undefined;
    if (!validator) throw new UsageError(`${where}: request validator ${String(name)} is not defined`);
    validate = {
      body: validator.validateRequestBody === true,
      parameters: validator.validateRequestParameters === true,
    };
  }
  const parameters = [
    ...((pathItem.parameters ?? []) as unknown[]),
    ...((operation.parameters ?? []) as unknown[]),
  ].map((p) => resolveRef<Json>(doc, p));
  const required = parameters
    .filter((p) => p.required === true && LOCATIONS[String(p.in)])
    .map((p) => ({ in: LOCATIONS[String(p.in)]!, name: String(p.name) }));
  const content = (resolveRef<Json | undefined>(doc, operation.requestBody)?.content ?? {}) as Json;
  const models: Record<string, object> = {};
  for (const [mediaType, media] of Object.entries(content)) {
    const schema = (media as Json | undefined)?.schema;
    if (schema) models[mediaType.toLowerCase()] = inlineRefs(doc, schema) as object;
  }
  return { validate, required, models };
}

/** A model with its `$ref`s to other components inlined, so it validates on its own. */
function inlineRefs(doc: OpenApiDocument, value: unknown, depth = 0): unknown {
  if (depth > 32) throw new UsageError('a request model nests deeper than 32 levels');
  const resolved = resolveRef(doc, value);
  if (Array.isArray(resolved)) return resolved.map((item) => inlineRefs(doc, item, depth + 1));
  if (!resolved || typeof resolved !== 'object') return resolved;
  return Object.fromEntries(
    Object.entries(resolved).map(([key, item]) => [key, inlineRefs(doc, item, depth + 1)]),
  );
}
