import type { OpenApiDocument } from '../contract/load-contract.js';
import { UsageError } from '../usage-error.js';
import { GATEWAY_RESPONSES } from './gateway-responses.js';
import { renderTemplate } from './mapping-template.js';
import type { Reply, RequestContext, Step } from './pipeline.js';
import type { GatewayRuntime } from './runtime.js';
import { methodParams, templateContext } from './template-context.js';

/** One customized gateway response, as `x-amazon-apigateway-gateway-responses` writes it. */
interface GatewayResponseSetting {
  statusCode?: number;
  /** `gatewayresponse.header.X` → `'literal'`, `method.request.(header|querystring|path).Y` or `stageVariables.Z`. */
  responseParameters: Readonly<Record<string, string>>;
  responseTemplates: Readonly<Record<string, string>>;
}

export type GatewayResponseSettings = ReadonlyMap<string, GatewayResponseSetting>;

/** The types API Gateway knows, plus the two defaults every 4XX and 5XX falls back on. */
const KNOWN = new Set([...Object.keys(GATEWAY_RESPONSES), 'DEFAULT_4XX', 'DEFAULT_5XX']);

export function gatewayResponseSettings(doc: OpenApiDocument): GatewayResponseSettings {
  const raw = (doc['x-amazon-apigateway-gateway-responses'] ?? {}) as Record<string, Record<string, unknown>>;
  const settings = new Map<string, GatewayResponseSetting>();
  for (const [type, value] of Object.entries(raw)) {
    if (!KNOWN.has(type))
      throw new UsageError(`x-amazon-apigateway-gateway-responses: unknown response type ${type}`);
    const statusCode = value.statusCode === undefined ? undefined : Number(value.statusCode);
    if (statusCode !== undefined && (!Number.isInteger(statusCode) || statusCode < 400 || statusCode > 599))
      throw new UsageError(`x-amazon-apigateway-gateway-responses.${type}.statusCode: must be 400 to 599`);
    settings.set(type, {
      ...(statusCode !== undefined ? { statusCode } : {}),
      responseParameters: strings(value.responseParameters),
      responseTemplates: strings(value.responseTemplates),
    });
  }
  return settings;
}

/**
 * Applies the API's customizations to every reply the gateway made itself. A type without its own
 * setting falls back on DEFAULT_4XX or DEFAULT_5XX by its status class; one with its own setting
 * does not mix in the default's.
 */
export function gatewayResponseStep(gw: GatewayRuntime): Step {
  if (gw.gatewayResponses.size === 0) return (_ctx, next) => next();
  return async (ctx, next) => {
    const reply = await next();
    if (!reply.gatewayResponse) return reply;
    const setting = settingFor(gw, reply);
    return setting ? customized(gw, ctx, reply, setting) : reply;
  };
}

function settingFor(gw: GatewayRuntime, reply: Reply): GatewayResponseSetting | undefined {
  const own = gw.gatewayResponses.get(reply.gatewayResponse!);
  if (own && gw.fault !== 'responses-own-setting-ignored') return own;
  if (gw.fault === 'responses-default-not-inherited') return undefined;
  return gw.gatewayResponses.get(reply.status >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX');
}

function customized(
  gw: GatewayRuntime,
  ctx: RequestContext,
  reply: Reply,
  setting: GatewayResponseSetting,
): Reply {
  const params = methodParams(ctx);
  const headers: Record<string, string | string[]> = { ...reply.headers };
  for (const [target, source] of Object.entries(setting.responseParameters)) {
    const name = /^gatewayresponse\.header\.(.+)$/.exec(target)?.[1];
    const value = headerSource(source, params, gw.stageVariables);
    if (name && value !== undefined) headers[name] = value;
  }
  const template =
    setting.responseTemplates['application/json'] ?? Object.values(setting.responseTemplates)[0];
  let body = reply.body;
  if (template !== undefined) {
    const message = reply.errorMessage ?? null;
    body = renderTemplate(template, {
      body: '',
      params,
      context: {
        ...templateContext(gw, ctx),
        error: {
          message: message ?? '',
          // The default template's own value: the message already quoted as a JSON string.
          messageString: JSON.stringify(message),
          responseType: reply.gatewayResponse,
          validationErrorString: ctx.validationError ?? '',
        },
      },
      stageVariables: gw.stageVariables,
    });
  }
  return { ...reply, status: setting.statusCode ?? reply.status, headers, body };
}

function headerSource(
  source: string,
  params: ReturnType<typeof methodParams>,
  stageVariables: Readonly<Record<string, string>>,
): string | undefined {
  const literal = /^'(.*)'$/.exec(source);
  if (literal) return literal[1];
  const [, where, name] = /^method\.request\.(header|querystring|path)\.(.+)$/.exec(source) ?? [];
  if (where && name) {
    const values = params[where as 'header' | 'querystring' | 'path'];
    return where === 'header' ? values[name.toLowerCase()] : values[name];
  }
  const stage = /^stageVariables\.(.+)$/.exec(source)?.[1];
  return stage ? stageVariables[stage] : undefined;
}

function strings(value: unknown): Record<string, string> {
  if (!value || typeof value !== 'object') return {};
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k.toLowerCase().startsWith('gatewayresponse.') ? k : k.toLowerCase(),
      String(v),
    ]),
  );
}
