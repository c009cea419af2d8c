import { z } from 'zod';
import { UsageError } from '../usage-error.js';
import { cacheConfigSchema } from './cache-config.js';
import { corsConfigSchema } from './cors-config.js';

/**
 * The stage config of the reference gateway: what API Gateway keeps beside the imported API
 * (stage, stage variables, API keys, usage plans), in AWS's own vocabulary.
 */

export const throttleSchema = z.strictObject({
  rateLimit: z.number().nonnegative(),
  burstLimit: z.number().int().nonnegative(),
});
export type Throttle = z.infer<typeof throttleSchema>;

export const quotaSchema = z.strictObject({
  limit: z.number().int().positive(),
  period: z.enum(['DAY', 'WEEK', 'MONTH']),
  /** Requests subtracted from the limit in the first period only. */
  offset: z.number().int().nonnegative().default(0),
});
export type Quota = z.infer<typeof quotaSchema>;
export type QuotaPeriod = Quota['period'];

const apiKey = z.strictObject({
  id: z.string().min(1),
  value: z.string().min(20, 'must be 20 to 128 characters').max(128, 'must be 20 to 128 characters'),
  enabled: z.boolean().default(true),
});
export type ApiKey = z.infer<typeof apiKey>;

const apiStage = z.strictObject({
  stage: z.string().min(1),
  /** Method-level throttles for this stage, keyed like AWS: "/pets/GET". */
  throttle: z
    .record(z.string().regex(/^\/\S*\/[A-Z]+$/, 'keys look like "/path/GET"'), throttleSchema)
    .default({}),
});

const usagePlan = z.strictObject({
  id: z.string().min(1),
  apiStages: z.array(apiStage).min(1),
  throttle: throttleSchema.optional(),
  quota: quotaSchema.optional(),
  apiKeyIds: z.array(z.string()).default([]),
});
export type UsagePlanConfig = z.infer<typeof usagePlan>;

const policyStatement = z.strictObject({
  Effect: z.enum(['Allow', 'Deny']),
  Action: z.union([z.string(), z.array(z.string()).min(1)]),
  Resource: z.union([z.string(), z.array(z.string()).min(1)]),
});

/** An IAM user or role that may call IAM-authorized methods, with its identity policy. */
const iamCredential = z.strictObject({
  accessKeyId: z.string().regex(/^[A-Z0-9]{16,128}$/, 'upper-case letters and digits, 16 to 128'),
  secretAccessKey: z.string().min(1),
  /** Temporary credentials: every request must then carry this token. */
  sessionToken: z.string().min(1).optional(),
  arn: z.string().startsWith('arn:'),
  policy: z.strictObject({
    Version: z.literal('2012-10-17').optional(),
    Statement: z.array(policyStatement).min(1),
  }),
});
export type IamCredential = z.infer<typeof iamCredential>;

const gatewayConfigSchema = z
  .strictObject({
    /**
     * REST (v1) or HTTP (v2) API: an HTTP API has no API keys, usage plans, stage cache, request
     * validation, customized gateway responses or X-Ray tracing, and answers unknown routes 404.
     */
    apiType: z.enum(['REST', 'HTTP']).default('REST'),
    /** The OpenAPI contract file; the probe API when absent. */
    contract: z.string().min(1).optional(),
    stage: z.strictObject({
      name: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, "-" and "_" only'),
      variables: z
        .record(
          z.string().regex(/^[A-Za-z0-9_]+$/, 'stage variable names are letters, digits and "_"'),
          z.string().regex(/^[A-Za-z0-9\-._~:/?#&=,]{1,512}$/, 'not a valid stage variable value'),
        )
        .default({}),
      /** X-Ray tracing (REST): a request without X-Amzn-Trace-Id gets one, and the integration sees it. */
      tracingEnabled: z.boolean().default(false),
    }),
    apiKeys: z.array(apiKey).default([]),
    usagePlans: z.array(usagePlan).default([]),
    integrationTimeoutMs: z.number().int().positive().default(29_000),
    /** Where this API lives, for method ARNs (IAM policies, Lambda authorizer policies). */
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'a region such as us-east-1')
      .default('us-east-1'),
    accountId: z
      .string()
      .regex(/^\d{12}$/, 'twelve digits')
      .default('123456789012'),
    apiId: z
      .string()
      .regex(/^[a-z0-9]{1,32}$/, 'lower-case letters and digits')
      .default('gateproof'),
    iamCredentials: z.array(iamCredential).default([]),
    /** Least time between JWKS fetches caused by requests (an unknown kid); AWS does not say. */
    jwksRefetchCooldownMs: z.number().int().nonnegative().default(10_000),
    cors: corsConfigSchema.optional(),
    /** The stage cache; absent means the stage has no cache cluster. */
    cache: cacheConfigSchema.optional(),
  })
  .superRefine((config, ctx) => {
    const issue = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: 'custom', path, message });
    const keyIds = new Map<string, number>();
    const values = new Map<string, number>();
    config.apiKeys.forEach((key, index) => {
      const sameId = keyIds.get(key.id);
      if (sameId !== undefined) issue(['apiKeys', index, 'id'], `duplicate of apiKeys.${sameId}.id`);
      keyIds.set(key.id, index);
      // Never echo the value itself: it is a secret.
      const sameValue = values.get(key.value);
      if (sameValue !== undefined) issue(['apiKeys', index, 'value'], `same value as apiKeys.${sameValue}`);
      values.set(key.value, index);
    });
    const accessKeyIds = new Set<string>();
    config.iamCredentials.forEach((credential, index) => {
      if (accessKeyIds.has(credential.accessKeyId)) {
        issue(['iamCredentials', index, 'accessKeyId'], `duplicate access key id ${credential.accessKeyId}`);
      }
      accessKeyIds.add(credential.accessKeyId);
    });
    const planIds = new Set<string>();
    // AWS allows a key in at most one usage plan per stage: otherwise which plan meters it is ambiguous.
    const planOfKeyOnStage = new Map<string, string>();
    config.usagePlans.forEach((plan, index) => {
      if (planIds.has(plan.id)) issue(['usagePlans', index, 'id'], `duplicate plan id ${plan.id}`);
      planIds.add(plan.id);
      plan.apiKeyIds.forEach((keyId, keyIndex) => {
        if (!keyIds.has(keyId))
          issue(['usagePlans', index, 'apiKeyIds', keyIndex], `unknown key id ${keyId}`);
        for (const { stage } of plan.apiStages) {
          const other = planOfKeyOnStage.get(`${keyId}\0${stage}`);
          if (other !== undefined) {
            issue(
              ['usagePlans', index, 'apiKeyIds', keyIndex],
              `key ${keyId} is already in plan ${other} for stage ${stage}`,
            );
          }
          planOfKeyOnStage.set(`${keyId}\0${stage}`, plan.id);
        }
      });
    });
  });

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
export type GatewayConfigInput = z.input<typeof gatewayConfigSchema>;

export function parseGatewayConfig(input: GatewayConfigInput): GatewayConfig {
  const parsed = gatewayConfigSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0] as z.core.$ZodIssue;
  throw new UsageError(
    `reference gateway config: ${issue.path.join('.') || '(top level)'}: ${issue.message}`,
  );
}
