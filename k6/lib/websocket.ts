/**
 * The runtime of the WebSocket scripts `gateproof k6 export` writes, as gateproof's engine runs a
 * WebSocket scenario (src/load/ws-engine.ts): one iteration is one connection, admitted with the
 * valid API key and the authorizer's allow token, held for a while sending round-trip messages to
 * route `echo`, and pushed to through the @connections API. k6/ws measures connecting
 * (`ws_connecting`) and counts messages; round trips and pushes are trends of their own, which
 * `gateproof k6 ingest` reads back into the engine's histograms.
 */
import exec from 'k6/execution';
import http from 'k6/http';
import { Rate, Trend } from 'k6/metrics';
import ws from 'k6/ws';
import { encode, env, required, type Sign, sigV4 } from './gateproof.ts';

/** gateproof's WebSocketSession (src/load/scenario.ts), with its hold made an end time. */
export interface Session {
  /** Every connection closes this long after the scenario started: the end of the arrivals plus the hold. */
  closeAfterMs: number;
  messagesPerSecond: number;
  pushesPerSecond: number;
  /** Connections open at once at most (the executor's maxVUs): pushes are spread over them. */
  connections: number;
}

export const roundTrip = new Trend('ws_roundtrip', true);
export const pushLatency = new Trend('ws_push', true);
export const connectFailed = new Rate('ws_connect_failed');

interface Frame {
  gpPush?: number;
  body?: string;
  headers?: Record<string, string>;
}

function manager(): { url: string; sign: Sign } | undefined {
  const url = env('GATEPROOF_WS_CONNECTIONS_URL');
  if (url === undefined) return undefined;
  const why = 'the @connections manager (or leave GATEPROOF_WS_CONNECTIONS_URL unset: no pushes)';
  return {
    url,
    sign: sigV4(
      required('GATEPROOF_WS_MANAGER_ACCESS_KEY_ID', why),
      required('GATEPROOF_WS_MANAGER_SECRET_ACCESS_KEY', why),
      env('GATEPROOF_WS_REGION') ?? 'us-east-1',
      env('GATEPROOF_WS_MANAGER_SESSION_TOKEN'),
    ),
  };
}

/** One connection, held until the session's common end; returns when it has closed. */
export function holdConnection(session: Session): void {
  const base = required('GATEPROOF_WS_URL', "the WebSocket API's URL (ws:// or wss://)");
  const token = required('GATEPROOF_WS_TOKEN', "the authorizer's allow token for $connect");
  const key = required('GATEPROOF_API_KEY', 'the API key $connect requires');
  const pushTo = session.pushesPerSecond > 0 ? manager() : undefined;
  const sent = new Map<number, number>();
  const pushed = new Map<number, number>();
  let seq = 0;
  let id: string | undefined;
  const res = ws.connect(`${base}?token=${encode(token)}`, { headers: { 'x-api-key': key } }, (socket) => {
    socket.on('open', () => {
      if (session.messagesPerSecond > 0) {
        socket.setInterval(() => {
          sent.set(seq, Date.now());
          socket.send(JSON.stringify({ action: 'echo', seq }));
          seq++;
        }, 1000 / session.messagesPerSecond);
      }
      if (pushTo) {
        // Every connection pushes to itself, at a random phase: together, pushesPerSecond.
        const everyMs = (1000 * session.connections) / session.pushesPerSecond;
        const push = () => {
          if (id === undefined) return;
          const n = pushed.size;
          const body = JSON.stringify({ gpPush: n });
          const url = `${pushTo.url}/${encode(id)}`;
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          pushTo.sign(url, [], headers, 'POST', body);
          pushed.set(n, Date.now());
          http.request('POST', url, body, { headers, tags: { name: 'ws-push' } });
        };
        socket.setTimeout(() => {
          push();
          socket.setInterval(push, everyMs);
        }, Math.random() * everyMs);
      }
      const closeAt = exec.scenario.startTime + session.closeAfterMs;
      socket.setTimeout(() => socket.close(), Math.max(0, closeAt - Date.now()));
    });
    socket.on('message', (data: string) => {
      const at = Date.now();
      let frame: Frame;
      try {
        frame = JSON.parse(data) as Frame;
      } catch {
        return;
      }
      if (typeof frame.gpPush === 'number') {
        const at0 = pushed.get(frame.gpPush);
        if (at0 !== undefined) pushLatency.add(at - at0);
        return;
      }
      // A route response: the probe's echo, with the connection id its integration saw.
      id ??= frame.headers?.['x-gp-connection-id'];
      let echoed: { seq?: number };
      try {
        echoed = JSON.parse(frame.body ?? '') as { seq?: number };
      } catch {
        return;
      }
      const at0 = echoed.seq === undefined ? undefined : sent.get(echoed.seq);
      if (at0 === undefined || echoed.seq === undefined) return;
      sent.delete(echoed.seq);
      roundTrip.add(at - at0);
    });
  });
  connectFailed.add(res === null || res.status !== 101);
}
