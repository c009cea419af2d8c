import type { OpenApiDocument } from '../../contract/load-contract.js';
import { methodRequest } from '../../reference/method-request.js';

/** The contract's validated routes: each proxies to the probe's `/validated`, whatever its validator. */
export const VALIDATED_PATHS = ['/validated', '/validated-params', '/validated-body'] as const;

/** The serverless.yml `request` of a validated route: its models and required parameters. */
export interface SlsRequest {
  schemas?: Record<string, object>;
  parameters?: {
    querystrings?: Record<string, true>;
    headers?: Record<string, true>;
    paths?: Record<string, true>;
  };
}

const SLS_LOCATION = { querystring: 'querystrings', header: 'headers', path: 'paths' } as const;

/**
 * The request validation of a contract route, as a user of the serverless framework writes it:
 * `request.schemas` for a validator that checks the body, `request.parameters` marked `true` for
 * one that checks parameters. Read from the contract by the reference's own method-request
 * reading, so both gateways are told the same thing.
 */
export function slsValidatedRequest(
  doc: OpenApiDocument,
  path: (typeof VALIDATED_PATHS)[number],
): SlsRequest {
  const pathItem = doc.paths[path]!;
  const request = methodRequest(doc, pathItem.post as Record<string, unknown>, pathItem, `POST ${path}`);
  const out: SlsRequest = {};
  if (request.validate.body && Object.keys(request.models).length > 0) out.schemas = { ...request.models };
  if (request.validate.parameters && request.required.length > 0) {
    const parameters: NonNullable<SlsRequest['parameters']> = {};
    for (const p of request.required) {
      const where = SLS_LOCATION[p.in];
      parameters[where] = { ...parameters[where], [p.name]: true };
    }
    out.parameters = parameters;
  }
  return out;
}
