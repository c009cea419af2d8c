import { type EngineResult, runLoad } from '../src/load/engine.js';

/** Requests in flight at most: room for a 100 ms stall of the target at 20,000/s without dropping. */
const SLOTS = 2000;
const CONNECTIONS = 200;

export interface Accuracy {
  rate: number;
  connections: number;
  slots: number;
  /** Requests sent over those the schedule intended (dropped arrivals are the difference). */
  achievedOverIntended: number;
  dropped: number;
  lagP50Us: number;
  lagP99Us: number;
}

/**
 * An open-model run at a fixed rate: how much of the schedule was kept, and how late. A second at
 * the same rate goes first, its figures discarded, as a scenario run warms up: what is measured is
 * the engine's schedule, not the first compilation of its hot path (worker threads stay between runs).
 */
export async function arrivalAccuracy(url: string, rate: number, seconds: number): Promise<Accuracy> {
  await accuracyRun(url, rate, 1);
  const result = await accuracyRun(url, rate, seconds);
  return {
    rate,
    connections: CONNECTIONS,
    slots: SLOTS,
    achievedOverIntended: Number((result.totals.sent / result.totals.intended).toFixed(5)),
    dropped: result.totals.dropped,
    lagP50Us: result.stats.lag?.p50 ?? 0,
    lagP99Us: result.stats.lag?.p99 ?? 0,
  };
}

function accuracyRun(url: string, rate: number, seconds: number): Promise<EngineResult> {
  const spec = { method: 'GET', path: '/', headers: {} };
  return runLoad({
    origin: url,
    scenario: {
      id: 'accuracy',
      title: 'arrival-rate accuracy',
      kind: 'latency',
      load: {
        executor: 'constant-arrival-rate',
        rate,
        duration: `${seconds}s`,
        preAllocatedVUs: CONNECTIONS,
        maxVUs: SLOTS,
      },
      requests: [{ route: 'open' }],
    },
    requests: { specs: [spec] },
    limits: { maxDurationS: seconds + 10, maxRequests: rate * seconds * 2 },
    // As the scenario runner does: preAllocatedVUs are the connections, maxVUs the requests in flight.
    connections: CONNECTIONS,
  });
}

/** Resident memory after 10 s and at the end of a long open-model run: flat means no per-request state. */
export async function memoryGrowth(
  url: string,
  rate: number,
  seconds: number,
): Promise<{ at10sMb: number; atEndMb: number }> {
  const spec = { method: 'GET', path: '/', headers: {} };
  const mb = () => Math.round((process.memoryUsage().rss / 1024 / 1024) * 10) / 10;
  let at10sMb = 0;
  let atEndMb = 0;
  await runLoad({
    origin: url,
    scenario: {
      id: 'memory',
      title: 'memory over a long run',
      kind: 'latency',
      load: { executor: 'constant-arrival-rate', rate, duration: `${seconds}s`, preAllocatedVUs: 200 },
      requests: [{ route: 'open' }],
    },
    requests: { specs: [spec] },
    limits: { maxDurationS: seconds + 10, maxRequests: rate * seconds * 2 },
    onProgress: (p) => {
      if (p.elapsedS <= 10) at10sMb = mb();
      atEndMb = mb();
    },
  });
  return { at10sMb, atEndMb };
}
