import { JSONPath } from 'jsonpath-plus';
import velocity from 'velocityjs';

/**
 * API Gateway's mapping templates: Velocity (VTL) with `$input`, `$util`, `$context` and
 * `$stageVariables`, rendered by velocityjs rather than a hand-written engine.
 */

/** What `$input.params()` holds: the method request's parameters by where they came from. */
export interface MethodParams {
  path: Record<string, string>;
  querystring: Record<string, string>;
  header: Record<string, string>;
}

export interface TemplateInput {
  /** The payload the template maps: the method request's body, or the integration response's. */
  body: string;
  params: MethodParams;
  context: Record<string, unknown>;
  stageVariables: Readonly<Record<string, string>>;
}

export class MappingTemplateError extends Error {}

export function renderTemplate(template: string, input: TemplateInput): string {
  const parsed = parseBody(input.body);
  const context = {
    input: {
      body: input.body,
      json: (path: string) => JSON.stringify(select(parsed(), path) ?? null),
      path: (path: string) => select(parsed(), path),
      // `$input.params()` is the whole map; `$input.params('x')` looks in path, then query, then header.
      params: (name?: string) =>
        name === undefined
          ? input.params
          : (input.params.path[name] ??
            input.params.querystring[name] ??
            headerValue(input.params.header, name) ??
            ''),
    },
    util: UTIL,
    context: input.context,
    stageVariables: input.stageVariables,
  };
  try {
    return velocity.render(template, context);
  } catch (err) {
    throw new MappingTemplateError((err as Error).message.split('\n')[0]);
  }
}

const UTIL = {
  escapeJavaScript: (value: unknown) =>
    JSON.stringify(String(value ?? ''))
      .slice(1, -1)
      .replaceAll("'", "\\'"),
  parseJson: (value: unknown) => JSON.parse(String(value)) as unknown,
  urlEncode: (value: unknown) => encodeURIComponent(String(value ?? '')),
  urlDecode: (value: unknown) => decodeURIComponent(String(value ?? '')),
  base64Encode: (value: unknown) => Buffer.from(String(value ?? '')).toString('base64'),
  base64Decode: (value: unknown) => Buffer.from(String(value ?? ''), 'base64').toString('utf8'),
};

/** The body parsed once, on first use: a template that never reads it accepts any payload. */
function parseBody(body: string): () => unknown {
  let parsed: { value: unknown } | undefined;
  return () => {
    if (!parsed) {
      try {
        parsed = { value: body.trim() === '' ? {} : JSON.parse(body) };
      } catch {
        throw new MappingTemplateError(
          'the payload is not JSON, so $input.json and $input.path cannot read it',
        );
      }
    }
    return parsed.value;
  };
}

/** A JSONPath result: the value itself for a definite path, the list of matches otherwise. */
function select(json: unknown, path: string): unknown {
  const matches = JSONPath({ path, json: json as object, wrap: true, eval: false }) as unknown[];
  const definite = !/[*?]|\.\.|\[[^\]]*[,:]/.test(path);
  return definite ? matches[0] : matches;
}

function headerValue(headers: Record<string, string>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const key in headers) if (key.toLowerCase() === lower) return headers[key];
  return undefined;
}
