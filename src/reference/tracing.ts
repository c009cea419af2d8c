import { randomBytes } from 'node:crypto';
import type { Step } from './pipeline.js';
import type { GatewayRuntime } from './runtime.js';

/**
 * X-Ray tracing on a REST stage: a request that carries `X-Amzn-Trace-Id` keeps it, one without
 * gets a new root (`Root=1-{epoch seconds, 8 hex}-{96 random bits, 24 hex}`), and the integration
 * receives it either way.
 */
export function tracingStep(gw: GatewayRuntime): Step {
  if (!gw.tracingEnabled || gw.fault === 'tracing-header-missing') return (_ctx, next) => next();
  return async (ctx, next) => {
    const sent = ctx.headers['x-amzn-trace-id'];
    const kept = typeof sent === 'string' && sent.trim() !== '' && gw.fault !== 'tracing-header-replaced';
    ctx.traceId = kept ? sent : newTraceId(gw.clock.now());
    const reply = await next();
    return { ...reply, headers: { ...reply.headers, 'x-amzn-trace-id': ctx.traceId } };
  };
}

function newTraceId(now: number): string {
  const seconds = Math.floor(now / 1000)
    .toString(16)
    .padStart(8, '0');
  return `Root=1-${seconds}-${randomBytes(12).toString('hex')}`;
}
