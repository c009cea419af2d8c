import type { WebSocketFaultName } from './faults-websocket.js';

/**
 * Route selection with the expression `$request.body.action`: the top-level `action` of a JSON
 * body, when it is a string naming a route exactly; else `$default` when the API has it; else
 * nothing, and the client gets an error frame.
 */

export const DEFAULT_ROUTE = '$default';

function nestedAction(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  for (const inner of Object.values(value)) {
    if (typeof inner === 'object' && inner !== null && 'action' in inner) return inner.action;
    const deeper = nestedAction(inner);
    if (deeper !== undefined) return deeper;
  }
  return undefined;
}

function actionOf(body: string, fault: WebSocketFaultName | undefined): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (fault === 'websocket-route-array-unwrapped' && Array.isArray(parsed)) parsed = parsed[0];
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const action = (parsed as Record<string, unknown>).action;
  if (action === undefined && fault === 'websocket-route-nested-action') return nestedAction(parsed);
  return action;
}

function isJson(body: string): boolean {
  try {
    JSON.parse(body);
    return true;
  } catch {
    return false;
  }
}

/** The route key the message goes to, or undefined when none matches. */
export function selectRoute(
  body: string,
  routes: readonly string[],
  fault: WebSocketFaultName | undefined,
): string | undefined {
  const hasDefault = routes.includes(DEFAULT_ROUTE);
  if (fault === 'websocket-route-default-first' && hasDefault) return DEFAULT_ROUTE;
  if (fault === 'websocket-route-non-json-refused' && !isJson(body)) return undefined;
  if (fault === 'websocket-route-null-refused' && body.trim() === 'null') return undefined;
  let action = actionOf(body, fault);
  if (fault === 'websocket-route-action-coerced' && action !== undefined && action !== null) {
    action = String(action);
  }
  if (typeof action === 'string' && !action.startsWith('$')) {
    const match = routes.find((route) =>
      fault === 'websocket-route-case-insensitive'
        ? route.toLowerCase() === action.toLowerCase()
        : route === action,
    );
    if (match) return match;
  }
  return hasDefault ? DEFAULT_ROUTE : undefined;
}
