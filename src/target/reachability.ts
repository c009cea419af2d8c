import { request } from 'undici';
import { describeTransportError } from '../contract/typed-client.js';
import { UsageError } from '../usage-error.js';
import type { Profile } from './profile-schema.js';

const REACH_TIMEOUT_MS = 5_000;

/**
 * One request to the gateway and one to the probe: any HTTP answer will do. A refused or reset
 * connection, a hang, or bytes that are not HTTP mean the run cannot say anything true. The status
 * line and headers are the answer: the body is not read, so a huge or dripping one is left for
 * the cases to judge.
 */
export async function checkReachable(profile: Profile): Promise<void> {
  const stage = profile.stage ? `/${profile.stage}` : '';
  // A gateway's headers come well within what the profile allows a whole exchange.
  const timeoutMs = Math.min(REACH_TIMEOUT_MS, profile.timeoutMs);
  await answers('gateway', `${profile.baseUrl.replace(/\/+$/, '')}${stage}${profile.routes.open}`, timeoutMs);
  if (profile.probe) {
    await answers('probe', `${profile.probe.url.replace(/\/+$/, '')}/__probe/counters`, timeoutMs);
  }
}

async function answers(what: string, url: string, timeoutMs: number): Promise<void> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const res = await request(url, { signal, headersTimeout: timeoutMs });
    // Abandoning the body is expected: its abort error is not news.
    res.body.on('error', () => {});
    res.body.destroy();
  } catch (err) {
    const reason = signal.aborted ? `no answer within ${timeoutMs / 1000} s` : describeTransportError(err);
    throw new UsageError(`${what} unreachable at ${new URL(url).origin}: ${reason}`);
  }
}
