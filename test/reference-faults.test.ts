import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { FAULTS } from '../src/reference/faults.js';
import { type ReferenceStack, startReferenceStack } from '../src/reference/stack.js';

interface Seen {
  status: number;
  body: unknown;
  errorType: unknown;
  requestId: boolean;
}

async function get(
  stack: ReferenceStack,
  path: string,
  headers: Record<string, string | string[]> = {},
): Promise<Seen> {
  const res = await request(`${stack.gatewayUrl}/test${path}`, { headers });
  return {
    status: res.statusCode,
    body: await res.body.json(),
    errorType: res.headers['x-amzn-errortype'],
    requestId: typeof res.headers['x-amzn-requestid'] === 'string',
  };
}

async function repeat(count: number, send: () => Promise<Seen>): Promise<Seen[]> {
  const seen = [];
  for (let i = 0; i < count; i++) seen.push(await send());
  return seen;
}

const swapCase = (value: string) =>
  [...value].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
const admitted = (seen: Seen[]) => seen.filter((s) => s.status === 200).length;
const keyed = (key: string) => ({ 'x-api-key': key });

/** The IAM caller's ARN a client claims on a keyed method, as the integration received it. */
async function spoofedIdentity(stack: ReferenceStack): Promise<unknown> {
  const seen = await get(stack, '/keyed', {
    ...keyed(stack.profile.apiKeys!.valid),
    'x-gp-identity-userarn': 'spoofed',
  });
  return (seen.body as { headers: Record<string, string> }).headers['x-gp-identity-userarn'];
}

/** What each fault changes, observed through the gateway: [the faithful answer, the faulty one]. */
/** A valid key sent beside a foreign one, after it and then before it: the statuses of both. */
const repeatedKeys = async (s: ReferenceStack) => [
  (await get(s, '/keyed', { 'x-api-key': ['not-a-key-of-this-api-0000', s.profile.apiKeys!.valid] })).status,
  (await get(s, '/keyed', { 'x-api-key': [s.profile.apiKeys!.valid, 'not-a-key-of-this-api-0000'] })).status,
];

const observations: Record<
  string,
  { observe: (stack: ReferenceStack) => Promise<unknown>; expect: [unknown, unknown] }
> = {
  'apikey-disabled-accepted': {
    observe: async (s) => (await get(s, '/keyed', keyed(s.profile.apiKeys!.disabled!))).status,
    expect: [403, 200],
  },
  'apikey-any-stage': {
    observe: async (s) => (await get(s, '/keyed', keyed(s.profile.apiKeys!.otherStage!))).status,
    expect: [403, 200],
  },
  'apikey-query-accepted': {
    observe: async (s) => [
      (await get(s, `/keyed?x-api-key=${s.profile.apiKeys!.valid}`)).status,
      (await get(s, `/keyed?api_key=${s.profile.apiKeys!.valid}`)).status,
    ],
    expect: [
      [403, 403],
      [200, 200],
    ],
  },
  'apikey-header-case-sensitive': {
    observe: async (s) => [
      (await get(s, '/keyed', { 'x-api-key': s.profile.apiKeys!.valid })).status,
      (await get(s, '/keyed', { 'X-API-Key': s.profile.apiKeys!.valid })).status,
    ],
    expect: [
      [200, 200],
      [200, 403],
    ],
  },
  'apikey-empty-accepted': {
    observe: async (s) => (await get(s, '/keyed', { 'x-api-key': '' })).status,
    expect: [403, 200],
  },
  'quota-off-by-one': {
    observe: async (s) => {
      const { quota } = s.profile.apiKeys!;
      const sequential = await repeat(8, () => get(s, '/quota', keyed(quota[0]!)));
      const burst = await Promise.all(Array.from({ length: 10 }, () => get(s, '/quota', keyed(quota[1]!))));
      return [admitted(sequential), admitted(burst)];
    },
    expect: [
      [5, 5],
      [6, 6],
    ],
  },
  'quota-shared-across-keys': {
    observe: async (s) => {
      const [first, second] = s.profile.apiKeys!.quotaPair!;
      await repeat(6, () => get(s, '/quota', keyed(first!)));
      return (await get(s, '/quota', keyed(second!))).status;
    },
    expect: [200, 429],
  },
  'quota-throttle-body': {
    observe: async (s) => {
      const seen = await repeat(6, () => get(s, '/quota', keyed(s.profile.apiKeys!.quota[2]!)));
      const { status, body, errorType } = seen[5]!;
      return { status, body, errorType };
    },
    expect: [
      { status: 429, body: { message: 'Limit Exceeded' }, errorType: 'LimitExceededException' },
      { status: 429, body: { message: 'Too Many Requests' }, errorType: 'TooManyRequestsException' },
    ],
  },
  'quota-charged-before-auth': {
    observe: async (s) => {
      const key = s.profile.apiKeys!.quota[3]!;
      const rejected = await repeat(5, () => get(s, '/quota', keyed(swapCase(key))));
      return [...rejected.map((r) => r.status), (await get(s, '/quota', keyed(key))).status];
    },
    expect: [
      [403, 403, 403, 403, 403, 200],
      [403, 403, 403, 403, 403, 429],
    ],
  },
  'quota-open-route-charged': {
    observe: async (s) => {
      const key = s.profile.apiKeys!.quota[4]!;
      await repeat(5, () => get(s, '/open', keyed(key)));
      return (await get(s, '/quota', keyed(key))).status;
    },
    expect: [200, 429],
  },
  'request-id-missing': {
    observe: async (s) => [
      (await get(s, '/keyed')).requestId,
      (await get(s, '/nope')).requestId,
      (await get(s, '/open')).requestId,
    ],
    expect: [
      [true, true, true],
      [false, false, true],
    ],
  },
  'apikey-missing-accepted': {
    observe: async (s) => (await get(s, '/keyed')).status,
    expect: [403, 200],
  },
  'apikey-unknown-accepted': {
    observe: async (s) => (await get(s, '/keyed', keyed('not-a-key-of-this-api-0000'))).status,
    expect: [403, 200],
  },
  'open-route-requires-key': {
    observe: async (s) => (await get(s, '/open')).status,
    expect: [200, 403],
  },
  'error-type-missing': {
    observe: async (s) => (await get(s, '/keyed')).errorType,
    expect: ['ForbiddenException', undefined],
  },
  'apikey-prefix-match': {
    observe: async (s) => (await get(s, '/keyed', keyed(s.profile.apiKeys!.valid.slice(0, -1)))).status,
    expect: [403, 200],
  },
  'apikey-compared-truncated': {
    observe: async (s) => (await get(s, '/keyed', keyed(`${s.profile.apiKeys!.valid}0`))).status,
    expect: [403, 200],
  },
  'apikey-case-insensitive': {
    observe: async (s) => (await get(s, '/keyed', keyed(swapCase(s.profile.apiKeys!.valid)))).status,
    expect: [403, 200],
  },
  'apikey-url-decoded': {
    observe: async (s) => {
      const key = s.profile.apiKeys!.valid;
      return (await get(s, '/keyed', keyed(`%${key.charCodeAt(0).toString(16)}${key.slice(1)}`))).status;
    },
    expect: [403, 200],
  },
  'apikey-trimmed': {
    observe: async (s) => (await get(s, '/keyed', keyed(`\u00a0${s.profile.apiKeys!.valid}`))).status,
    expect: [403, 200],
  },
  'apikey-last-of-repeated': {
    observe: repeatedKeys,
    expect: [
      [403, 403],
      [200, 403],
    ],
  },
  'apikey-any-of-repeated': {
    observe: repeatedKeys,
    expect: [
      [403, 403],
      [200, 200],
    ],
  },
  'apikey-alternate-headers': {
    observe: async (s) => (await get(s, '/keyed', { apikey: s.profile.apiKeys!.valid })).status,
    expect: [403, 200],
  },
  'quota-per-method': {
    observe: async (s) => {
      const key = s.profile.apiKeys!.quota[5]!;
      await repeat(5, () => get(s, '/quota', keyed(key)));
      return (await get(s, '/keyed', keyed(key))).status;
    },
    expect: [429, 200],
  },
  'quota-refunded-on-error': {
    observe: async (s) => {
      const key = s.profile.apiKeys!.quota[6]!;
      await repeat(5, () => get(s, '/quota', { ...keyed(key), 'x-gp-status': '500' }));
      return (await get(s, '/quota', keyed(key))).status;
    },
    expect: [429, 200],
  },
  'identity-headers-merged': {
    observe: async (s) => spoofedIdentity(s),
    expect: [undefined, 'spoofed'],
  },
  'identity-headers-kept-without-authorizer': {
    observe: async (s) => spoofedIdentity(s),
    expect: [undefined, 'spoofed'],
  },
  'integration-duplicate-get': {
    observe: async (s) => {
      const before = (await s.probe!.counters()).routes['/open'] ?? 0;
      await get(s, '/open');
      return ((await s.probe!.counters()).routes['/open'] ?? 0) - before;
    },
    expect: [1, 2],
  },
};

describe('reference gateway faults', () => {
  let faithful: ReferenceStack;
  before(async () => {
    faithful = await startReferenceStack();
  });
  after(() => faithful.close());

  it('each API-key and quota fault has an observation here', () => {
    const mine = FAULTS.filter((f) => f.breaks.some((id) => /^(apikey|quota)\./.test(id)));
    assert.deepEqual(mine.map((f) => f.name).sort(), Object.keys(observations).sort());
  });

  for (const [fault, { observe, expect }] of Object.entries(observations)) {
    it(`${fault} changes what the gateway does`, async () => {
      assert.deepEqual(await observe(faithful), expect[0], 'faithful gateway');
      const broken = await startReferenceStack({ fault });
      try {
        assert.deepEqual(await observe(broken), expect[1], `under ${fault}`);
      } finally {
        await broken.close();
      }
    });
  }
});
