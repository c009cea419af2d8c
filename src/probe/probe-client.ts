import { boundedExchange, parseJsonBody } from '../contract/bounded-exchange.js';
import { HarnessError } from '../contract/harness-error.js';
import { describeTransportError } from '../contract/typed-client.js';
import { PROBE_COUNTERS_PATH, type ProbeCounters } from './protocol.js';

/**
 * Reads the probe's counters directly, never through the gateway, so "the upstream was (not)
 * reached" and "that was a cache hit" are proven at the origin. A probe that answers outside its
 * protocol is the harness's failure, never the gateway's.
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
    const url = `${this.url.replace(/\/+$/, '')}${PROBE_COUNTERS_PATH}${query}`;
    let res: Awaited<ReturnType<typeof boundedExchange>>;
    try {
      res = await boundedExchange(url, {
        timeoutMs: this.timeoutMs,
        ...(this.secret === undefined ? {} : { headers: { authorization: `Bearer ${this.secret}` } }),
      });
    } catch (err) {
      throw new HarnessError(`the probe's counters did not answer: ${describeTransportError(err)}`);
    }
    if (res.status !== 200) throw new HarnessError(`the probe's counters answered ${res.status}`);
    const counters = parseJsonBody(res.body) as Partial<ProbeCounters> | undefined;
    if (!isCounters(counters)) {
      throw new HarnessError(
        `the probe's counters answered something other than its JSON (${res.body.bytes} bytes)`,
      );
    }
    return counters;
  }

  /** How many requests carrying this nonce reached the origin. */
  async reached(nonce: string): Promise<number> {
    return (await this.counters(nonce)).count ?? 0;
  }

  /** This nonce's requests by route and tag (`route#tag`): where each one arrived, and from which deployment. */
  async seen(nonce: string): Promise<Record<string, number>> {
    return (await this.counters(nonce)).seen ?? {};
  }
}

function isCounters(value: Partial<ProbeCounters> | undefined): value is ProbeCounters {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof value.total === 'number' &&
    (value.count === undefined || typeof value.count === 'number')
  );
}
