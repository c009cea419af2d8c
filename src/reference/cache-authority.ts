import type { ApiMethod } from './api-model.js';
import type { Clock } from './clock.js';
import type { GatewayConfig } from './config.js';
import type { FaultName } from './faults.js';
import { evaluatePolicy, type IamPolicy, methodArn } from './iam-policy.js';
import type { RequestContext } from './pipeline.js';
import {
  type CredentialStore,
  createSigV4Verifier,
  type SigV4Verdict,
  type SigV4Verifier,
} from './sigv4-verifier.js';

/**
 * Who may touch the stage cache. Invalidating with `Cache-Control: max-age=0` takes a SigV4
 * caller whose policy allows `execute-api:InvalidateCache` on the method, as on AWS, whatever
 * the method's own authorization; flushing the stage cache (the control plane's
 * `DELETE /restapis/ID/stages/STAGE/cache/data`) takes a request signed for `apigateway` by a
 * credential of the account. The reference's IAM model covers execute-api actions only, so the
 * flush checks the signature, not an `apigateway:DELETE` policy.
 */
export class CacheAuthority {
  private readonly invoke: SigV4Verifier;
  private readonly control: SigV4Verifier;
  private readonly credentials: CredentialStore;

  constructor(
    private readonly config: Pick<GatewayConfig, 'region' | 'accountId' | 'apiId' | 'iamCredentials'>,
    private readonly stage: string,
    clock: Clock,
    private readonly fault?: FaultName,
  ) {
    const credentials: CredentialStore = new Map(
      config.iamCredentials.map((c) => [
        c.accessKeyId,
        {
          secretAccessKey: c.secretAccessKey,
          ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}),
          arn: c.arn,
          // The config schema checks the shape; the action names are IAM's to judge, as on AWS.
          policy: c.policy as IamPolicy,
        },
      ]),
    );
    this.credentials = credentials;
    const now = () => clock.now();
    this.invoke = createSigV4Verifier({ credentials, region: config.region, now });
    this.control = createSigV4Verifier({ credentials, region: config.region, service: 'apigateway', now });
  }

  mayInvalidate(ctx: RequestContext, route: ApiMethod): boolean {
    const policy = this.callerPolicy(ctx);
    if (!policy) return false;
    if (this.fault === 'cache-invalidation-any-signature') return true;
    const arn = methodArn({
      region: this.config.region,
      accountId: this.config.accountId,
      apiId: this.config.apiId,
      stage: this.stage,
      method: route.httpMethod,
      path: route.resourcePath,
    });
    return evaluatePolicy(policy, 'execute-api:InvalidateCache', arn) === 'allow';
  }

  /** The verified caller's policy; under a fault, the policy of whichever access key the request names. */
  private callerPolicy(ctx: RequestContext): IamPolicy | undefined {
    if (this.fault === 'cache-invalidation-signature-unchecked') {
      const named = /Credential=([^/,\s]+)/.exec(String(ctx.headers.authorization ?? ''))?.[1];
      return named === undefined ? undefined : this.credentials.get(named)?.policy;
    }
    const verdict = this.invoke(signed(ctx));
    return verdict.ok ? verdict.principal.policy : undefined;
  }

  mayFlush(ctx: RequestContext): SigV4Verdict {
    return this.control(signed(ctx));
  }

  get flushPath(): string {
    return `/restapis/${this.config.apiId}/stages/${this.stage}/cache/data`;
  }
}

function signed(ctx: RequestContext) {
  return {
    method: ctx.httpMethod,
    path: ctx.path,
    query: ctx.rawQuery,
    headers: ctx.headers,
    body: ctx.body,
  };
}
