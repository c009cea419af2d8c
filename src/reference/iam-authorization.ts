import type { Authorizer, AuthorizerSetup } from './authorizers.js';
import { SIGV4_RELAXATIONS } from './faults-sigv4.js';
import { type GatewayResponseType, gatewayResponse } from './gateway-responses.js';
import type { RequestContext } from './pipeline.js';
import { createSigV4Verifier, type SigV4FailureType, type StoredCredential } from './sigv4-verifier.js';

/**
 * IAM authorization (`AWS_IAM`): the request's SigV4 signature, checked against the stage's
 * credentials, then the caller's identity policy on this method's ARN. The signature is consumed:
 * the integration never sees the `Authorization` header, nor a presigned request's parameters.
 */

const FAILURE_RESPONSES: Record<SigV4FailureType, GatewayResponseType> = {
  MISSING_AUTHENTICATION_TOKEN: 'MISSING_AUTHENTICATION_TOKEN',
  INCOMPLETE_SIGNATURE: 'INCOMPLETE_SIGNATURE',
  INVALID_SIGNATURE: 'INVALID_SIGNATURE',
  SIGNATURE_EXPIRED: 'INVALID_SIGNATURE',
  SIGNATURE_NOT_YET_CURRENT: 'INVALID_SIGNATURE',
  INVALID_REGION: 'INVALID_SIGNATURE',
  INVALID_SERVICE: 'INVALID_SIGNATURE',
  UNRECOGNIZED_CLIENT: 'UNRECOGNIZED_CLIENT',
  ACCESS_DENIED: 'ACCESS_DENIED',
};

/** The presigned form's parameters: the signature and what it needs, nothing the API itself defines. */
const PRESIGNED_PARAMETERS = [
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
  'X-Amz-Security-Token',
];

/** Every value of every header as it arrived, repeats kept in order (SigV4 signs them all). */
function receivedHeaders(rawHeaders: readonly string[]): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const values = headers[name] ?? [];
    values.push(rawHeaders[i + 1]!);
    headers[name] = values;
  }
  return headers;
}

/** The access key a request names, header or presigned form; empty when it names none. */
function claimedAccessKey(ctx: RequestContext): string {
  const credential =
    /Credential=([^,\s]+)/.exec(String(ctx.headers.authorization ?? ''))?.[1] ??
    ctx.query.get('X-Amz-Credential') ??
    '';
  return credential.split('/')[0] ?? '';
}

export function iamAuthorizer(setup: AuthorizerSetup): Authorizer {
  const { config, clock, fault } = setup;
  const credentials = new Map<string, StoredCredential>(
    config.iamCredentials.map((c) => [
      c.accessKeyId,
      {
        secretAccessKey: c.secretAccessKey,
        ...(c.sessionToken !== undefined && { sessionToken: c.sessionToken }),
        arn: c.arn,
        policy: c.policy as StoredCredential['policy'],
      },
    ]),
  );
  const verify = createSigV4Verifier({
    credentials,
    region: config.region,
    now: () => clock.now(),
    ...(fault && SIGV4_RELAXATIONS[fault] && { relax: SIGV4_RELAXATIONS[fault] }),
  });
  const emptyBody = Buffer.alloc(0);

  return (ctx: RequestContext) => {
    const verdict = verify(
      {
        method: ctx.httpMethod,
        path: ctx.path,
        query: ctx.rawQuery,
        headers: receivedHeaders(ctx.rawHeaders),
        body: fault === 'sigv4-body-hash-empty' ? emptyBody : ctx.body,
      },
      fault === 'sigv4-policy-ignored' ? undefined : setup.methodArn(ctx),
    );
    if (!verdict.ok) {
      const { type } = verdict;
      if (fault === 'sigv4-anonymous-allowed' && type === 'MISSING_AUTHENTICATION_TOKEN') return undefined;
      const lookupFailed = type === 'UNRECOGNIZED_CLIENT' && !credentials.has(claimedAccessKey(ctx));
      if (fault === 'sigv4-unknown-key-fails-open' && lookupFailed) return undefined;
      if (fault === 'sigv4-incomplete-as-missing-token' && type === 'INCOMPLETE_SIGNATURE') {
        return gatewayResponse('MISSING_AUTHENTICATION_TOKEN');
      }
      return gatewayResponse(FAILURE_RESPONSES[type], { message: verdict.message });
    }
    ctx.callerArn = verdict.principal.arn;
    if (fault !== 'sigv4-authorization-forwarded') {
      ctx.consumed =
        verdict.form === 'header'
          ? { headers: ['authorization'], query: [] }
          : { headers: [], query: PRESIGNED_PARAMETERS };
    }
    return undefined;
  };
}
