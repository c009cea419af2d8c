import { z } from 'zod';
import { UsageError } from '../usage-error.js';

/**
 * The stage config of the reference gateway: what API Gateway keeps beside the imported API
 * (stage, stage variables, API keys, usage plans), in AWS's own vocabulary.
 */

const throttle = z.strictObject({
  rateLimit: z.number().nonnegative(),
  burstLimit: z.number().int().nonnegative(),
});
export type Throttle = z.infer<typeof throttle>;

const quota = z.strictObject({
  limit: z.number().int().positive(),
  period: z.enum(['DAY', 'WEEK', 'MONTH']),
  /** Requests subtracted from the limit in the first period only. */
  offset: z.number().int().nonnegative().default(0),
});
export type Quota = z.infer<typeof quota>;
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
  throttle: z.record(z.string().regex(/^\/\S*\/[A-Z]+$/, 'keys look like "/path/GET"'), throttle).default({}),
});

const usagePlan = z.strictObject({
  id: z.string().min(1),
  apiStages: z.array(apiStage).min(1),
  throttle: throttle.optional(),
  quota: quota.optional(),
  apiKeyIds: z.array(z.string()).default([]),
});
export type UsagePlanConfig = z.infer<typeof usagePlan>;

const gatewayConfigSchema = z
  .strictObject({
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
    }),
    apiKeys: z.array(apiKey).default([]),
    usagePlans: z.array(usagePlan).default([]),
    integrationTimeoutMs: z.number().int().positive().default(29_000),
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
