import { expectNotReached, expectReached } from './expectations.js';
import type { ApiKeys, CaseFixtures, WorkerFixtures } from './fixtures.js';
import { expect, gateCase, test } from './fixtures.js';
import { sigv4Of } from './signed-requests.js';
import {
  type Connection,
  connect,
  type ManagementAnswer,
  manage,
  signedUpgradeHeaders,
  type WebSocketProfile,
  websocketOf,
} from './websocket-client.js';

/**
 * WebSocket APIs: `$connect` authorization decided before the upgrade (an API key in `x-api-key`,
 * a REQUEST authorizer token in the `token` query parameter), route selection on
 * `$request.body.action`, `$disconnect`, the @connections management API and the limits. Each
 * integration call is proven at the probe: every call of a connection carries the case's nonce.
 */

const REF = 'aws-semantics.md#websocket-apis';
/** How long a frame that must not come is waited for. */
const QUIET_MS = 500;

type Fixtures = CaseFixtures & WorkerFixtures;
type Tokens = NonNullable<WorkerFixtures['target']['authorizer']>['tokens'];

function tokensOf(f: Fixtures): Tokens {
  return f.target.authorizer?.tokens ?? ({} as Tokens);
}

/** A connection admitted as the API promises: the valid key in the header, the allow token in the query. */
async function open(f: Fixtures, url?: string): Promise<Connection> {
  const ws = websocketOf(f.target);
  const upgrade = await connect(
    url ?? ws.url,
    {
      query: { gpn: f.nonce, token: tokensOf(f).allow },
      headers: { 'x-api-key': f.keys.valid },
      timeoutMs: f.target.timeoutMs,
    },
    (e) => f.evidence.push(e),
  );
  expect(upgrade.status, 'an admitted $connect upgrades').toBe(101);
  if (!('connection' in upgrade)) throw new Error('not upgraded');
  return upgrade.connection;
}

interface Echo {
  route: string;
  method: string;
  headers: Record<string, string>;
  body: string;
}

/** Sends a frame and reads the route response: the probe's echo of what the integration received. */
async function roundTrip(f: Fixtures, connection: Connection, frame: string): Promise<Echo> {
  connection.send(frame);
  const answer = await connection.next(f.target.timeoutMs);
  expect(answer, 'a route response').toBeDefined();
  return JSON.parse(answer!) as Echo;
}

/** The connection's id, as its integration sees it (from a $default round trip). */
async function idOf(f: Fixtures, connection: Connection): Promise<string> {
  const echo = await roundTrip(f, connection, '{}');
  const id = echo.headers['x-gp-connection-id'];
  expect(id, 'the integration receives the connection id').toBeTruthy();
  return id!;
}

type Route = 'connect' | 'echo' | 'default' | 'disconnect';

/** Calls of one route by this case's connections: the integration counts them as `<nonce>.<route>`. */
function calls(f: Fixtures, route: Route): Promise<number> {
  return f.probe.reached(`${f.nonce}.${route}`);
}

/** Until the probe has seen `times` calls of the route, or the target's timeout. */
async function expectCallsSoon(f: Fixtures, route: Route, times: number): Promise<void> {
  await expect
    .poll(() => calls(f, route), { message: `calls of ${route}`, timeout: f.target.timeoutMs })
    .toBe(times);
}

interface Refusal {
  name: string;
  title: string;
  status: 401 | 403;
  query?: (keys: ApiKeys, tokens: Tokens) => Record<string, string>;
  headers?: (keys: ApiKeys, tokens: Tokens) => Record<string, string>;
}

const swapCase = (s: string) =>
  s.replace(/[a-z]/gi, (c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()));
const validKey = (k: ApiKeys) => ({ 'x-api-key': k.valid });
const allowToken = (_: ApiKeys, t: Tokens) => ({ token: t.allow });

const refusals: Refusal[] = [
  {
    name: 'key-missing',
    title: '$connect without an API key is refused 403 before the upgrade',
    status: 403,
    query: allowToken,
  },
  {
    name: 'key-trailing',
    title: '$connect with a valid API key plus one trailing character is refused 403',
    status: 403,
    query: allowToken,
    headers: (k) => ({ 'x-api-key': `${k.valid}x` }),
  },
  {
    name: 'key-case',
    title: '$connect with a valid API key in the other case is refused 403',
    status: 403,
    query: allowToken,
    headers: (k) => ({ 'x-api-key': swapCase(k.valid) }),
  },
  {
    name: 'key-in-query',
    title: '$connect with the valid API key in the query string instead of the header is refused 403',
    status: 403,
    query: (k, t) => ({ token: t.allow, 'x-api-key': k.valid }),
  },
  {
    name: 'token-missing',
    title: "$connect without the authorizer's identity source is refused 401 without asking the authorizer",
    status: 401,
    headers: validKey,
  },
  {
    name: 'token-in-header',
    title:
      '$connect with the allow token in the Authorization header, not the declared query parameter, is refused 401',
    status: 401,
    headers: (k, t) => ({ ...validKey(k), authorization: t.allow }),
  },
  {
    name: 'token-case',
    title: '$connect with the allow token in the other case is refused 401',
    status: 401,
    query: (_, t) => ({ token: swapCase(t.allow) }),
    headers: validKey,
  },
  {
    name: 'token-deny',
    title: '$connect whose authorizer answers with a Deny policy is refused 403',
    status: 403,
    query: (_, t) => ({ token: t.deny }),
    headers: validKey,
  },
];

interface Selection {
  name: string;
  title: string;
  frame: string;
}

/** Near misses of `$request.body.action`: each must go to $default, never to route `echo`. */
const nearMisses: Selection[] = [
  {
    name: 'action-case',
    title: 'an action naming a route in another case goes to $default (route keys are case-sensitive)',
    frame: '{"action":"ECHO"}',
  },
  {
    name: 'action-nested',
    title: 'an action nested below the top level of the body goes to $default',
    frame: '{"data":{"action":"echo"}}',
  },
  {
    name: 'action-not-string',
    title: 'an action that is not a string goes to $default',
    frame: '{"action":["echo"]}',
  },
  { name: 'json-null', title: 'a body of JSON null goes to $default', frame: 'null' },
  {
    name: 'action-in-array',
    title: 'an action inside a JSON array (not an object at the top) goes to $default',
    frame: '[{"action":"echo"}]',
  },
];

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

interface IamRefusal {
  name: string;
  title: string;
  /** Who signs, and for which URL, given the URL the upgrade goes to; null: unsigned. */
  signing: (f: Fixtures, url: string) => { credentials: Credentials; url: string } | null;
}

/** The same host under another loopback name (or a subdomain of a name that is not loopback). */
function otherHost(url: string): string {
  const u = new URL(url);
  u.hostname =
    u.hostname === 'localhost' ? '127.0.0.1' : u.hostname === '127.0.0.1' ? 'localhost' : `x.${u.hostname}`;
  return u.toString();
}

const caller = (f: Fixtures): Credentials => {
  const { accessKeyId, secretAccessKey, sessionToken } = sigv4Of(f.target);
  return { accessKeyId, secretAccessKey, ...(sessionToken !== undefined && { sessionToken }) };
};

/** Near misses of an IAM-authorized $connect: each refused 403 before the upgrade. */
const iamRefusals: IamRefusal[] = [
  {
    name: 'unsigned',
    title: 'an unsigned $connect to an IAM-authorized API is refused 403',
    signing: () => null,
  },
  {
    name: 'other-path',
    title: '$connect signed for another API path of the same stage is refused 403',
    signing: (f, url) => {
      const other = new URL(websocketOf(f.target).url);
      other.search = new URL(url).search;
      return { credentials: caller(f), url: other.toString() };
    },
  },
  {
    name: 'other-host',
    title: '$connect signed for another name of the host is refused 403',
    signing: (f, url) => ({ credentials: caller(f), url: otherHost(url) }),
  },
  {
    name: 'not-allowed',
    title:
      '$connect signed by a caller allowed only execute-api:ManageConnections, not Invoke, is refused 403',
    signing: (f, url) => ({ credentials: websocketOf(f.target).manager, url }),
  },
];

/** The IAM-authorized API's URL with this case's nonce, ready to sign. */
function iamUrlOf(f: Fixtures): string {
  const ws = websocketOf(f.target);
  test.skip(!ws.iamUrl, 'the profile names no IAM-authorized WebSocket API (websocket.iamUrl)');
  const url = new URL(ws.iamUrl!);
  url.searchParams.set('gpn', f.nonce);
  return url.toString();
}

/** Messages that keep a connection active until it closes or `forMs` pass: its close, if any. */
async function keptActive(f: Fixtures, connection: Connection, forMs: number) {
  const every = Math.max(200, (websocketOf(f.target).idleTimeoutSeconds * 1000) / 3);
  const deadline = Date.now() + forMs;
  while (Date.now() < deadline) {
    if (connection.open) connection.send('{}');
    const closed = await connection.closedWithin(Math.min(every, Math.max(0, deadline - Date.now())));
    if (closed) return closed;
  }
  return undefined;
}

/** A JSON message of exactly `size` bytes with no action (so, route $default), in frames of at most `frameBytes`. */
function framesOf(size: number, frameBytes: number): Buffer[] {
  const message = Buffer.from(`{"p":"${'a'.repeat(Math.max(0, size - 8))}"}`);
  const parts: Buffer[] = [];
  for (let at = 0; at < size; at += frameBytes)
    parts.push(message.subarray(at, Math.min(size, at + frameBytes)));
  return parts;
}

/** A core case of the WebSocket API, citing API Gateway's WebSocket guide. */
function wsCase(id: string, title: string, body: Parameters<typeof gateCase>[1]): void {
  gateCase({ id, title, level: 'core', features: ['websocket'], refs: [REF] }, body);
}

test.describe('websocket', () => {
  // Each case keeps to its own connections and nonce, and several only wait out a timeout: spread
  // over the free workers, they do not hold the suite phase to their sum.
  test.describe.configure({ mode: 'parallel' });
  wsCase(
    'websocket.connect.accept',
    '$connect with the valid key and an allow token upgrades, and the $connect integration is called',
    async (f) => {
      const connection = await open(f);
      await expectCallsSoon(f, 'connect', 1);
      connection.close();
    },
  );

  for (const refusal of refusals) {
    gateCase(
      {
        id: `websocket.connect.${refusal.name}`,
        title: refusal.title,
        level: 'core',
        features: ['websocket'],
        refs: [REF],
      },
      async (f) => {
        const ws = websocketOf(f.target);
        const tokens = tokensOf(f);
        const upgrade = await connect(
          ws.url,
          {
            query: { gpn: f.nonce, ...refusal.query?.(f.keys, tokens) },
            headers: refusal.headers?.(f.keys, tokens) ?? {},
            timeoutMs: f.target.timeoutMs,
          },
          (e) => f.evidence.push(e),
        );
        if ('connection' in upgrade) upgrade.connection.close();
        if (f.strict) expect(upgrade.status, 'status').toBe(refusal.status);
        else expect([401, 403], `status ${upgrade.status} is not a refusal`).toContain(upgrade.status);
        await expectNotReached(f.probe, `${f.nonce}.connect`);
      },
    );
  }

  wsCase(
    'websocket.route.match',
    'a message whose action names a route goes to that route, with the connection id, route key and body',
    async (f) => {
      const connection = await open(f);
      const id = await idOf(f, connection);
      const frame = JSON.stringify({ action: 'echo', value: f.nonce });
      const echo = await roundTrip(f, connection, frame);
      expect(echo.route, 'the route the integration serves').toBe('/ws/echo');
      expect(echo.headers['x-gp-route-key']).toBe('echo');
      expect(echo.headers['x-gp-connection-id']).toBe(id);
      expect(echo.body, 'the message as sent').toBe(frame);
      await expectReached(f.probe, `${f.nonce}.echo`, 1);
      connection.close();
    },
  );

  wsCase('websocket.route.default', 'a message that is not JSON goes to $default', async (f) => {
    const connection = await open(f);
    const echo = await roundTrip(f, connection, `hello ${f.nonce}`);
    expect(echo.headers['x-gp-route-key']).toBe('$default');
    expect(echo.method, 'a route integration is called with POST').toBe('POST');
    expect(echo.body).toBe(`hello ${f.nonce}`);
    await expectReached(f.probe, `${f.nonce}.default`, 1);
    connection.close();
  });

  for (const miss of nearMisses) {
    gateCase(
      {
        id: `websocket.route.${miss.name}`,
        title: miss.title,
        level: 'core',
        features: ['websocket'],
        refs: [REF],
      },
      async (f) => {
        const connection = await open(f);
        const echo = await roundTrip(f, connection, miss.frame);
        expect(echo.headers['x-gp-route-key'], 'the route chosen').toBe('$default');
        expect(echo.body).toBe(miss.frame);
        connection.close();
      },
    );
  }

  wsCase(
    'websocket.route.no-match-error',
    'on an API without $default, a message no route matches gets an error frame and reaches no integration',
    async (f) => {
      const connection = await open(f, websocketOf(f.target).noDefaultUrl);
      connection.send(JSON.stringify({ action: `unknown-${f.nonce}` }));
      const frame = await connection.next(f.target.timeoutMs);
      expect(frame, 'an error frame').toBeDefined();
      const error = JSON.parse(frame!) as { message?: string };
      if (f.strict) expect(error.message).toBe('Forbidden');
      else expect(error.message, 'the frame says why').toBeTruthy();
      expect(await calls(f, 'echo'), 'calls of echo').toBe(0);
      expect(await calls(f, 'default'), 'calls of default').toBe(0);
      connection.close();
    },
  );

  wsCase(
    'websocket.disconnect.notified',
    'a connection the client closes reaches the $disconnect integration',
    async (f) => {
      const connection = await open(f);
      connection.close();
      await connection.closed;
      await expectCallsSoon(f, 'disconnect', 1);
    },
  );

  wsCase(
    'websocket.connections.push',
    'a POST to @connections/{id} arrives on that connection and no other',
    async (f) => {
      const ws = websocketOf(f.target);
      const [target, other] = [await open(f), await open(f)];
      const id = await idOf(f, target);
      const body = `pushed ${f.nonce}`;
      const res = await manage(ws, region(f), 'POST', id, { body, timeoutMs: f.target.timeoutMs }, (e) =>
        f.evidence.push(e),
      );
      expect(res.status, 'the push is accepted').toBe(200);
      expect(await target.next(f.target.timeoutMs), 'on the addressed connection').toBe(body);
      expect(await other.next(QUIET_MS), 'on another connection').toBeUndefined();
      target.close();
      other.close();
    },
  );

  wsCase(
    'websocket.connections.gone',
    'a POST to a connection that has closed answers 410 GoneException',
    async (f) => {
      const ws = websocketOf(f.target);
      const connection = await open(f);
      const id = await idOf(f, connection);
      connection.close();
      await connection.closed;
      // The gateway learns of the close a moment after the client: asked until it answers 410.
      let res: ManagementAnswer | undefined;
      await expect
        .poll(
          async () => {
            res = await manage(
              ws,
              region(f),
              'POST',
              id,
              { body: 'late', timeoutMs: f.target.timeoutMs },
              (e) => f.evidence.push(e),
            );
            return res.status;
          },
          { message: 'status', timeout: f.target.timeoutMs },
        )
        .toBe(410);
      if (f.strict) expect(res?.errorType, 'x-amzn-ErrorType').toBe('GoneException');
    },
  );

  wsCase(
    'websocket.connections.describe',
    'GET @connections/{id} describes the connection: ConnectedAt, its source IP, and LastActiveAt moving with it',
    async (f) => {
      const ws = websocketOf(f.target);
      const connection = await open(f);
      const id = await idOf(f, connection);
      // ISO times carry milliseconds; the wait makes the next activity a later one.
      await new Promise((r) => setTimeout(r, 50));
      await roundTrip(f, connection, '{}');
      const res = await manage(ws, region(f), 'GET', id, { timeoutMs: f.target.timeoutMs }, (e) =>
        f.evidence.push(e),
      );
      expect(res.status).toBe(200);
      const description = JSON.parse(res.body) as {
        ConnectedAt: string;
        LastActiveAt: string;
        Identity: { SourceIp: string };
      };
      expect(description.Identity.SourceIp, 'the source IP').toBeTruthy();
      expect(Date.parse(description.LastActiveAt), 'LastActiveAt after ConnectedAt').toBeGreaterThan(
        Date.parse(description.ConnectedAt),
      );
      connection.close();
    },
  );

  wsCase(
    'websocket.connections.delete',
    'DELETE @connections/{id} answers 204 and closes that connection',
    async (f) => {
      const ws = websocketOf(f.target);
      const connection = await open(f);
      const id = await idOf(f, connection);
      const res = await manage(ws, region(f), 'DELETE', id, { timeoutMs: f.target.timeoutMs }, (e) =>
        f.evidence.push(e),
      );
      expect(res.status).toBe(204);
      // Within half the idle timeout, so it is the DELETE, not idleness, that closed it.
      const within = Math.min(f.target.timeoutMs, ws.idleTimeoutSeconds * 500);
      expect(await connection.closedWithin(within), 'the connection is closed').toBeDefined();
    },
  );

  wsCase(
    'websocket.connections.unsigned',
    'an unsigned POST to @connections/{id} is refused 403 and delivers nothing',
    async (f) => {
      await refusedPush(f, null);
    },
  );

  gateCase(
    {
      id: 'websocket.connections.not-allowed',
      title: 'a POST to @connections/{id} signed by a caller allowed only execute-api:Invoke is refused 403',
      level: 'core',
      features: ['websocket', 'sigv4'],
      refs: [REF],
    },
    async (f) => {
      const sigv4 = sigv4Of(f.target);
      await refusedPush(f, { accessKeyId: sigv4.accessKeyId, secretAccessKey: sigv4.secretAccessKey });
    },
  );

  gateCase(
    {
      id: 'websocket.iam.accept',
      title:
        '$connect to an IAM-authorized API, SigV4-signed by a caller allowed to Invoke, upgrades and is integrated',
      level: 'core',
      features: ['websocket', 'sigv4'],
      refs: [REF],
    },
    async (f) => {
      const url = iamUrlOf(f);
      const upgrade = await connect(
        url,
        { headers: signedUpgradeHeaders(url, caller(f), region(f)), timeoutMs: f.target.timeoutMs },
        (e) => f.evidence.push(e),
      );
      expect(upgrade.status, 'a signed $connect upgrades').toBe(101);
      if (!('connection' in upgrade)) return;
      await expectCallsSoon(f, 'connect', 1);
      upgrade.connection.close();
    },
  );

  for (const refusal of iamRefusals) {
    gateCase(
      {
        id: `websocket.iam.${refusal.name}`,
        title: refusal.title,
        level: 'core',
        features: ['websocket', 'sigv4'],
        refs: [REF],
      },
      async (f) => {
        const url = iamUrlOf(f);
        const signing = refusal.signing(f, url);
        const headers = signing ? signedUpgradeHeaders(signing.url, signing.credentials, region(f)) : {};
        const upgrade = await connect(url, { headers, timeoutMs: f.target.timeoutMs }, (e) =>
          f.evidence.push(e),
        );
        if ('connection' in upgrade) upgrade.connection.close();
        if (f.strict) expect(upgrade.status, 'status').toBe(403);
        else expect([401, 403], `status ${upgrade.status} is not a refusal`).toContain(upgrade.status);
        await expectNotReached(f.probe, `${f.nonce}.connect`);
      },
    );
  }

  wsCase(
    'websocket.limit.frame-size',
    'a single frame over the frame limit, in a message within the message limit, closes the connection with 1009',
    async (f) => {
      const ws = websocketOf(f.target);
      test.skip(ws.maxFrameBytes >= ws.maxMessageBytes, 'no frame limit below the message limit');
      const connection = await open(f);
      connection.sendFrames(framesOf(ws.maxFrameBytes + 1, ws.maxFrameBytes + 1));
      const closed = await connection.closedWithin(f.target.timeoutMs);
      expect(closed?.code, 'close code').toBe(1009);
      expect(await calls(f, 'default'), 'the message reached no integration').toBe(0);
    },
  );

  wsCase(
    'websocket.limit.frame-exact',
    'a single frame of exactly the frame limit is routed whole',
    async (f) => {
      const ws = websocketOf(f.target);
      const connection = await open(f);
      connection.sendFrames(framesOf(ws.maxFrameBytes, ws.maxFrameBytes));
      const answer = await connection.next(f.target.timeoutMs);
      expect(answer, 'a route response').toBeDefined();
      expect((JSON.parse(answer!) as Echo).body.length, 'the message as sent').toBe(ws.maxFrameBytes);
      connection.close();
    },
  );

  wsCase(
    'websocket.limit.message-size',
    'a message over the size limit, in frames within the frame limit, closes the connection with 1009 and reaches no integration',
    async (f) => {
      const ws = websocketOf(f.target);
      const connection = await open(f);
      connection.sendFrames(framesOf(ws.maxMessageBytes + 1, ws.maxFrameBytes));
      const closed = await connection.closedWithin(f.target.timeoutMs);
      expect(closed?.code, 'close code').toBe(1009);
      expect(await calls(f, 'default'), 'the message reached no integration').toBe(0);
    },
  );

  wsCase(
    'websocket.limit.message-exact',
    'a message of exactly the size limit, in frames of the frame limit, is routed whole',
    async (f) => {
      const ws = websocketOf(f.target);
      const connection = await open(f);
      connection.sendFrames(framesOf(ws.maxMessageBytes, ws.maxFrameBytes));
      const answer = await connection.next(f.target.timeoutMs);
      expect(answer, 'a route response').toBeDefined();
      expect((JSON.parse(answer!) as Echo).body.length, 'the message as sent').toBe(ws.maxMessageBytes);
      connection.close();
    },
  );

  wsCase(
    'websocket.limit.idle-reset',
    'a connection that keeps sending stays open past the idle timeout',
    async (f) => {
      const ws = websocketOf(f.target);
      test.skip(ws.idleTimeoutSeconds > 30, 'the idle timeout is too long to wait for in a run');
      test.skip(
        ws.maxConnectionSeconds <= ws.idleTimeoutSeconds * 1.5,
        'the maximum connection duration comes before the idle timeout could be seen reset',
      );
      const connection = await open(f);
      const closed = await keptActive(f, connection, ws.idleTimeoutSeconds * 1500);
      expect(closed, 'still open after 1.5 idle timeouts of activity').toBeUndefined();
      connection.close();
    },
  );

  wsCase(
    'websocket.limit.max-duration',
    'a connection kept active is closed at the maximum connection duration, not before',
    async (f) => {
      const ws = websocketOf(f.target);
      test.skip(
        ws.maxConnectionSeconds > 30,
        'the maximum connection duration is too long to wait for in a run',
      );
      const started = Date.now();
      const connection = await open(f);
      const closed = await keptActive(f, connection, ws.maxConnectionSeconds * 1000 + f.target.timeoutMs);
      expect(closed, 'closed by the gateway').toBeDefined();
      // A tenth of it for the clocks of client and gateway, which start the connection apart.
      expect(Date.now() - started, 'open for the whole duration').toBeGreaterThanOrEqual(
        ws.maxConnectionSeconds * 900,
      );
      if (f.strict) expect(closed?.code, 'close code').toBe(1001);
    },
  );

  wsCase(
    'websocket.limit.idle-timeout',
    'a connection idle for longer than the idle timeout is closed by the gateway',
    async (f) => {
      const ws = websocketOf(f.target);
      test.skip(ws.idleTimeoutSeconds > 30, 'the idle timeout is too long to wait for in a run');
      const connection = await open(f);
      // Before the maximum connection duration, so that it is idleness, not age, that closed it.
      const within = Math.min(
        ws.idleTimeoutSeconds * 1000 + f.target.timeoutMs,
        ws.maxConnectionSeconds * 1000 - 500,
      );
      const closed = await connection.closedWithin(within);
      expect(closed, 'closed by the gateway').toBeDefined();
      if (f.strict) expect(closed?.code, 'close code').toBe(1001);
    },
  );
});

function region(f: Fixtures): string {
  return f.target.sigv4?.region ?? 'us-east-1';
}

/** A push the @connections API must refuse: nothing arrives on the connection. */
async function refusedPush(
  f: Fixtures,
  credentials: { accessKeyId: string; secretAccessKey: string } | null,
) {
  const ws: WebSocketProfile = websocketOf(f.target);
  const connection = await open(f);
  const id = await idOf(f, connection);
  const res = await manage(
    ws,
    region(f),
    'POST',
    id,
    { body: f.nonce, credentials, timeoutMs: f.target.timeoutMs },
    (e) => f.evidence.push(e),
  );
  expect(res.status, 'status').toBe(403);
  expect(await connection.next(QUIET_MS), 'nothing is delivered').toBeUndefined();
  connection.close();
}
