import { Ajv, type ValidateFunction } from 'ajv';
import { escapePointer, type HttpMethod, isRef, type OpenApiDocument, resolveRef } from './load-contract.js';

/**
 * Checks a response against the contract's schema for its operation and status. A mismatch is
 * evidence, not an exception: the gateway (or its integration) broke the contract, and the case
 * records where.
 */
export class ResponseValidator {
  readonly #ajv = new Ajv({ strict: false, allErrors: true });
  readonly #cache = new Map<string, ValidateFunction | null>();

  constructor(private readonly doc: OpenApiDocument) {
    this.#ajv.addSchema(doc as object, 'contract');
  }

  /** Contract violations of one response, as lines; empty when it conforms. */
  check(
    path: string,
    method: HttpMethod,
    status: number,
    contentType: string | undefined,
    body: string,
  ): string[] {
    const operation = this.doc.paths[path]?.[method] as { responses?: Record<string, unknown> } | undefined;
    if (!operation?.responses) return [];
    const where = `${method.toUpperCase()} ${path} → ${status}`;
    const statusKey = [String(status), `${String(status)[0]}XX`, 'default'].find(
      (k) => k in operation.responses!,
    );
    if (!statusKey) return [`${where}: status not declared in the contract`];
    const response = resolveRef<{ content?: Record<string, unknown> }>(
      this.doc,
      operation.responses[statusKey],
    );
    if (!response.content?.['application/json']) return [];
    if (!contentType?.includes('json')) {
      return [`${where}: content-type ${JSON.stringify(contentType ?? '')}, contract says application/json`];
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return [`${where}: body is not JSON`];
    }
    const validate = this.#validator(path, method, statusKey, operation.responses[statusKey]);
    if (!validate || validate(parsed)) return [];
    return (validate.errors ?? []).map(
      (e) => `${where}: body${e.instancePath || ''} ${e.message ?? 'is invalid'}`,
    );
  }

  #validator(path: string, method: string, statusKey: string, response: unknown): ValidateFunction | null {
    const key = `${method} ${path} ${statusKey}`;
    if (!this.#cache.has(key)) {
      // Point ajv at the schema inside the document so its own $refs resolve against the document.
      const base = isRef(response)
        ? response.$ref
        : `#/paths/${escapePointer(path)}/${method}/responses/${escapePointer(statusKey)}`;
      const pointer = `contract${base}/content/application~1json/schema`;
      this.#cache.set(key, this.#ajv.compile({ $ref: pointer }));
    }
    return this.#cache.get(key) ?? null;
  }
}
