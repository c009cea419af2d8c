import { type HistogramStats, histogramStats, withHistogram } from './histograms.js';

/** A WebSocket run's three latencies, each read from its histogram (absent when nothing was measured). */
export interface WsLatencies {
  connect?: HistogramStats;
  roundTrip?: HistogramStats;
  push?: HistogramStats;
}

export function wsLatencies(histograms: Readonly<Record<string, string>>): WsLatencies {
  const stats = (encoded: string | undefined) =>
    encoded === undefined ? undefined : withHistogram(encoded, histogramStats);
  return {
    connect: stats(histograms.ws_connecting),
    roundTrip: stats(histograms.all),
    push: stats(histograms.ws_push),
  };
}

/**
 * The latency part of `findings.websocket`, under the same names whether the engine measured the
 * run or a k6 ingest merged it, so reports and comparisons read one shape.
 */
export function wsLatencyFindings({
  connect,
  roundTrip,
  push,
}: WsLatencies): Record<string, number | undefined> {
  return {
    connectP50Us: connect?.p50,
    connectP99Us: connect?.p99,
    roundTripP50Us: roundTrip?.p50,
    roundTripP99Us: roundTrip?.p99,
    pushP50Us: push?.p50,
    pushP99Us: push?.p99,
  };
}
