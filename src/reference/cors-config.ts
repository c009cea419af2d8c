import { z } from 'zod';

/** `*`, or an origin whose host may start with a `*.` wildcard (`https://*.example.com`), or be `*` (`https://*`). */
const originPattern = z
  .string()
  .regex(
    /^(\*|https?:\/\/(\*|(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*)(:\d{1,5})?)$/,
    'an origin (scheme://host[:port]), a wildcard origin (https://*.example.com) or "*"',
  );

/**
 * CORS as the gateway answers it. `http` is HTTP API's built-in CORS: the gateway answers every
 * preflight itself, before routing and authorization. `rest` is the REST way: every resource gets
 * an OPTIONS method with a mock integration, routed like any method (an unknown resource is 403).
 * In both, actual responses get their CORS headers from this config (the backend's own are
 * dropped), and only when the request carries `Origin`.
 */
export const corsConfigSchema = z
  .strictObject({
    style: z.enum(['http', 'rest']).default('http'),
    allowOrigins: z.array(originPattern).min(1),
    allowMethods: z
      .array(z.string().regex(/^([A-Z]+|\*)$/, 'an HTTP method in capitals, or "*"'))
      .default([]),
    allowHeaders: z.array(z.string().min(1)).default([]),
    exposeHeaders: z.array(z.string().min(1)).default([]),
    maxAge: z.number().int().min(0).max(86_400).optional(),
    allowCredentials: z.boolean().default(false),
    /**
     * Add the CORS headers to gateway responses too (the 403s and 429s the gateway makes itself).
     * AWS adds none unless the API's DEFAULT_4XX/5XX responses are given them, so false by default.
     */
    gatewayResponses: z.boolean().default(false),
  })
  .refine((c) => !(c.allowCredentials && c.allowOrigins.includes('*')), {
    message: 'allowCredentials cannot be used with allowOrigins "*" (browsers refuse the pair)',
    path: ['allowCredentials'],
  });

export type CorsConfig = z.infer<typeof corsConfigSchema>;
export type CorsConfigInput = z.input<typeof corsConfigSchema>;
