import type { IncomingMessage } from 'node:http';
import { evaluatePolicy } from './iam-policy.js';
import { createSigV4Verifier, type SignedRequestInput } from './sigv4-verifier.js';
import type { WebSocketApiConfig } from './websocket-config.js';
import type { ConnectVerdict } from './websocket-connect.js';
import { receivedHeaders } from './websocket-management.js';

/**
 * `$connect` with IAM authorization (`AWS_IAM`): the upgrade request itself is SigV4-signed, in
 * the header or the presigned query form, by a caller allowed `execute-api:Invoke` on
 * `{api}/{stage}/$connect`. Any failure is a 403 before the upgrade.
 */

const EMPTY = Buffer.alloc(0);

/** The names a loopback listener answers to, for the fault that takes them for one host. */
function loopbackAliases(host: string): string[] {
  const port = /:(\d+)$/.exec(host)?.[1];
  return port ? [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`] : [];
}

export function createIamConnect(config: WebSocketApiConfig, apiPaths: readonly string[]) {
  const verify = createSigV4Verifier({
    credentials: config.credentials,
    region: config.region,
    now: Date.now,
  });
  const { fault } = config;
  const methodArn = `arn:aws:execute-api:${config.region}:${config.accountId}:${config.apiId}/${config.stage}/$connect`;

  /** What the faults accept besides the request as it came: other paths, other host names. */
  function variants(request: SignedRequestInput): SignedRequestInput[] {
    if (fault === 'websocket-iam-path-unchecked') return apiPaths.map((path) => ({ ...request, path }));
    if (fault === 'websocket-iam-host-unchecked') {
      return loopbackAliases(request.headers.host?.[0] ?? '').map((host) => ({
        ...request,
        headers: { ...request.headers, host: [host] },
      }));
    }
    return [];
  }

  return (req: IncomingMessage, path: string, query: string): ConnectVerdict => {
    const request: SignedRequestInput = {
      method: req.method ?? 'GET',
      path,
      query,
      headers: receivedHeaders(req.rawHeaders),
      body: EMPTY,
    };
    let verdict = verify(request);
    for (const variant of verdict.ok ? [] : variants(request)) {
      const second = verify(variant);
      if (second.ok) {
        verdict = second;
        break;
      }
    }
    if (!verdict.ok) {
      if (fault === 'websocket-iam-unsigned-allowed' && verdict.type === 'MISSING_AUTHENTICATION_TOKEN') {
        return { ok: true, principalId: 'anonymous' };
      }
      return { ok: false, status: 403, message: verdict.message };
    }
    const allowed = evaluatePolicy(verdict.principal.policy, 'execute-api:Invoke', methodArn) === 'allow';
    if (!allowed && fault !== 'websocket-iam-policy-ignored') {
      return {
        ok: false,
        status: 403,
        message: `User: ${verdict.principal.arn} is not authorized to perform: execute-api:Invoke on resource: ${methodArn}`,
      };
    }
    return { ok: true, principalId: verdict.principal.arn };
  };
}
