import type { Scenario } from '../src/load/scenario.js';

/**
 * A thousand connections opened at 500 a second and held together for 4 s once all have arrived,
 * each sending a round-trip message a second, with 100 pushes a second through @connections: how many connections the stage
 * holds, and how fast connecting, round trips and pushes are while it does.
 */
export const websocketConnections: Scenario = {
  id: 'websocket-connections',
  title: 'A thousand WebSocket connections held at once, with round trips and @connections pushes',
  kind: 'websocket',
  load: {
    executor: 'constant-arrival-rate',
    rate: 500,
    timeUnit: '1s',
    duration: '2s',
    preAllocatedVUs: 1000,
    maxVUs: 1000,
  },
  requests: [],
  // All 1,000 held together for 4 s after the last arrives: 6 s at most, within the reference's 8 s maximum connection duration.
  websocket: { hold: '4s', messagesPerSecond: 1, pushesPerSecond: 100 },
  thresholds: {
    ws_connect_failed: ['rate<0.01'],
    ws_connecting: ['p(99)<3000'],
    ws_roundtrip: ['p(99)<2000'],
    ws_push: ['p(99)<2000'],
  },
};
