import { request } from 'undici';
import { PROBE_COUNTERS_PATH, type ProbeCounters } from './protocol.js';

/**
 * Reads the probe's counters directly, never through the gateway, so "the upstream was (not)
 * reached" and "that was a cache hit" are proven at the origin.
 */
export class ProbeClient {
  constructor(
    readonly url: string,
    private readonly timeoutMs = 5_000,
    /** The probe's control secret, when it was started with one (`gateproof probe` beyond loopback). */
    private readonly secret?: string,
  ) {}

  async counters(nonce?: string): Promise<ProbeCounters> {
    const query = nonce === undefined ? '' : `?nonce=${encodeURIComponent(nonce)}`;
    const res = await request(`${this.url.replace(/\/+$/, '')}${PROBE_COUNTERS_PATH}${query}`, {
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      ...(this.secret === undefined ? {} : { headers: { authorization: `Bearer ${this.secret}` } }),
    });
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw new Error(`probe counters answered ${res.statusCode}`);
    }
    return (await res.body.json()) as ProbeCounters;
  }

  /** How many requests carrying this nonce reached the origin. */
  async reached(nonce: string): Promise<number> {
    return (await this.counters(nonce)).count ?? 0;
  }
}
