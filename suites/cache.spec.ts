import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { signRequest } from '../src/auth/sigv4-sign.js';
import { boundedExchange, flattenHeaders, KEPT_BODY_BYTES } from '../src/contract/bounded-exchange.js';
import { describeTransportError, type Exchange } from '../src/contract/typed-client.js';
import type { Evidence } from '../src/results/model.js';
import { SetupFailure } from '../src/run/case-meta.js';
import type { Feature, Profile } from '../src/target/profile-schema.js';
import { type CaseBody, expect, gateCase, test } from './fixtures.js';
import { expectPremise } from './premise.js';

/**
 * The stage cache: what is cached, for how long, under which key, and who may refresh it. A hit
 * is never trusted from a header: every request is counted at the probe (by the case's nonce,
 * sent as a header so it is never part of a cache key), and a hit is a request that did not
 * reach it and got back an earlier answer's version.
 */

const REF = 'aws-semantics.md#caching-rest-stages';
const INVALIDATE = { 'cache-control': 'max-age=0' };
/** Headers that differ on every answer, cached or not. */
const PER_REQUEST = new Set([
  'date',
  'x-amzn-requestid',
  'x-amz-apigw-id',
  'apigw-requestid',
  'x-amzn-trace-id',
]);

type Cache = NonNullable<Profile['cache']>;
type Fixtures = Parameters<CaseBody>[0];
type CachedPath = '/cached' | '/cached-short' | '/cached-off' | '/cached-strict' | '/cached-silent';
type Strategy = Cache['unauthorizedStrategy'];

function cacheOf(target: Profile): Cache {
  if (!target.cache) throw new SetupFailure('the profile declares no cache section');
  return target.cache;
}

function keyParameter(cache: Cache): string {
  const name = cache.keyParameters[0];
  if (!name) throw new SetupFailure('the profile declares no cache.keyParameters');
  return name;
}

interface Sent {
  res: Exchange;
  /** Requests of this case that reached the origin while this one was answered: 0 is a hit. */
  reached: number;
  /** The echo's version; for an answer too long to keep, its body's SHA-256 (equal answers, equal hashes). */
  version: number | string | undefined;
}

/** One request on a cached route, with what reached the probe meanwhile. */
class CachedRoute {
  constructor(
    private readonly f: Pick<Fixtures, 'client' | 'probe' | 'nonce' | 'target'>,
    readonly path: CachedPath,
  ) {}

  async get(query: Record<string, string>, headers: Record<string, string | string[]> = {}): Promise<Sent> {
    return this.counted(() =>
      this.f.client.get(this.path, { query, headers: { 'x-gp-nonce': this.f.nonce, ...headers } }),
    );
  }

  async post(query: Record<string, string>): Promise<Sent> {
    return this.counted(() =>
      this.f.client.post('/cached', { query, headers: { 'x-gp-nonce': this.f.nonce }, json: {} }),
    );
  }

  /** `Cache-Control: max-age=0` from a caller allowed to invalidate (SigV4, or the profile's headers). */
  async invalidate(query: Record<string, string>): Promise<Sent> {
    const { client, target, nonce } = this.f;
    const headers = { ...INVALIDATE, 'x-gp-nonce': nonce };
    const cache = cacheOf(target);
    if (cache.invalidationHeaders) return this.get(query, { ...INVALIDATE, ...cache.invalidationHeaders });
    const signed = signRequest({
      method: 'GET',
      url: client.url(client.options.routes?.[this.path] ?? this.path, query),
      headers,
      ...invalidator(target),
    });
    return this.get(query, signed.headers);
  }

  private async counted(send: () => Promise<Exchange>): Promise<Sent> {
    const before = await this.f.probe.reached(this.f.nonce);
    const res = await send();
    const reached = (await this.f.probe.reached(this.f.nonce)) - before;
    const version =
      (res.json as { version?: number } | undefined)?.version ??
      (res.bodyBytes > KEPT_BODY_BYTES ? `sha256:${res.bodySha256}` : undefined);
    return { res, reached, version };
  }
}

/** `Cache-Control: max-age=0` signed by these credentials, as the cached route's request would be. */
function signedInvalidation(
  f: Fixtures,
  query: Record<string, string>,
  credentials: { accessKeyId: string; secretAccessKey: string },
  region: string,
): Record<string, string | string[]> {
  const path: CachedPath = '/cached';
  return signRequest({
    method: 'GET',
    url: f.client.url(f.client.options.routes?.[path] ?? path, query),
    headers: { ...INVALIDATE, 'x-gp-nonce': f.nonce },
    credentials,
    region,
  }).headers;
}

function invalidator(target: Profile): {
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  region: string;
} {
  const own = target.cache?.invalidator;
  const region = own?.region ?? target.sigv4?.region;
  const credentials = own ?? target.sigv4;
  if (!credentials || !region) {
    throw new SetupFailure(
      'the profile names no invalidator: cache.invalidator, cache.invalidationHeaders or sigv4',
    );
  }
  const { accessKeyId, secretAccessKey, sessionToken } = credentials;
  return { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) }, region };
}

function expectHit(sent: Sent, earlier: Sent, what = 'the second request'): void {
  expect(sent.res.status, `${what}: status`).toBe(200);
  expect(sent.reached, `${what}: requests that reached the origin`).toBe(0);
  expect(sent.version, `${what}: the version of the earlier answer`).toBe(earlier.version);
  expect(sent.res.headers['content-type'], `${what}: the earlier answer's Content-Type`).toBe(
    earlier.res.headers['content-type'],
  );
}

function expectMiss(sent: Sent, earlier: Sent, what = 'the second request'): void {
  expect(sent.reached, `${what}: requests that reached the origin`).toBe(1);
  expect(sent.version, `${what}: a fresh version`).not.toBe(earlier.version);
}

/**
 * The premise of a case that asserts a miss: a miss proves nothing on a route that caches nothing,
 * so an immediate repeat of `earlier` must first be a hit.
 */
function expectCachedPremise(repeat: Sent, earlier: Sent, what: string): void {
  expectPremise(
    repeat.res.status === 200 && repeat.reached === 0 && repeat.version === earlier.version,
    `the gateway caches ${what}, so that a miss afterwards means something`,
    `an immediate repeat got ${repeat.res.status}, reached the origin ${repeat.reached} time(s), version ${repeat.version} after ${earlier.version}`,
  );
}

/** Names of headers in `a` that `b` lacks, per-request ids aside. */
function extraHeaders(a: Exchange, b: Exchange): string[] {
  return Object.keys(a.headers).filter((h) => !(h in b.headers) && !PER_REQUEST.has(h));
}

const cacheCase = (
  meta: { id: string; title: string; level?: 'core' | 'check'; refs?: string[]; features?: Feature[] },
  body: CaseBody,
) =>
  gateCase(
    {
      level: 'core',
      ...meta,
      features: ['cache', ...(meta.features ?? [])],
      refs: [REF, ...(meta.refs ?? [])],
    },
    body,
  );

const route = (f: Fixtures, path: CachedPath) => new CachedRoute(f, path);

test.describe('cache', () => {
  cacheCase(
    {
      id: 'cache.hit.within-ttl',
      title: 'a GET repeated a second later, within the TTL, is answered from the cache',
    },
    async (f) => {
      const cache = cacheOf(f.target);
      if (cache.ttlSeconds < 3)
        throw new SetupFailure('cache.ttlSeconds is under 3 s: too short to wait within');
      const cached = route(f, '/cached');
      const query = { [keyParameter(cache)]: f.nonce };
      const first = await cached.get(query);
      await sleep(1_000);
      expectHit(await cached.get(query), first);
    },
  );

  cacheCase(
    {
      id: 'cache.ttl.expires',
      title: 'an entry is served until its TTL, and the first request after it reaches the integration',
    },
    async (f) => {
      const cache = cacheOf(f.target);
      const short = route(f, '/cached-short');
      const query = { [keyParameter(cache)]: f.nonce };
      const ttlMs = cache.shortTtlSeconds * 1000;
      const first = await short.get(query);
      const primed = performance.now();
      await sleep(ttlMs / 2);
      expectHit(await short.get(query), first, 'halfway through the TTL');
      await sleep(Math.max(0, primed + ttlMs + 200 - performance.now()));
      await expect(async () => {
        expectMiss(await short.get(query), first, 'after the TTL');
      }).toPass({ timeout: 3_000, intervals: [250] });
    },
  );

  cacheCase(
    {
      id: 'cache.ttl.per-method',
      title:
        'a per-method TTL applies to its method only: a method on the stage TTL still hits after it has passed',
    },
    async (f) => {
      const cache = cacheOf(f.target);
      if (cache.ttlSeconds <= cache.shortTtlSeconds + 2) {
        throw new SetupFailure('cache.ttlSeconds must exceed cache.shortTtlSeconds by more than 2 s');
      }
      const cached = route(f, '/cached');
      const query = { [keyParameter(cache)]: f.nonce };
      const first = await cached.get(query);
      await sleep(cache.shortTtlSeconds * 1000 + 300);
      expectHit(await cached.get(query), first, 'after the short TTL');
    },
  );

  cacheCase(
    {
      id: 'cache.ttl.zero-off',
      title: 'a method with caching on and a TTL of 0 is not cached',
    },
    async (f) => {
      const name = keyParameter(cacheOf(f.target));
      const on = route(f, '/cached');
      const cachedOnce = await on.get({ [name]: `${f.nonce}-on` });
      expectCachedPremise(await on.get({ [name]: `${f.nonce}-on` }), cachedOnce, 'on this stage');
      const off = route(f, '/cached-off');
      const query = { [name]: f.nonce };
      const first = await off.get(query);
      expectMiss(await off.get(query), first);
    },
  );

  cacheCase(
    {
      id: 'cache.key.declared-splits',
      title: 'a declared cache-key parameter splits entries: another value reaches the integration',
    },
    async (f) => {
      const cached = route(f, '/cached');
      const name = keyParameter(cacheOf(f.target));
      const first = await cached.get({ [name]: `${f.nonce}-a` });
      expectCachedPremise(await cached.get({ [name]: `${f.nonce}-a` }), first, 'this route');
      expectMiss(await cached.get({ [name]: `${f.nonce}-b` }), first);
    },
  );

  cacheCase(
    {
      id: 'cache.key.entries-side-by-side',
      title:
        'entries under two values of a key parameter live side by side: the second does not evict the first',
    },
    async (f) => {
      const cached = route(f, '/cached');
      const name = keyParameter(cacheOf(f.target));
      const first = await cached.get({ [name]: `${f.nonce}-a` });
      await cached.get({ [name]: `${f.nonce}-b` });
      expectHit(await cached.get({ [name]: `${f.nonce}-a` }), first, 'the first value again');
    },
  );

  cacheCase(
    {
      id: 'cache.key.undeclared-shares',
      title: 'a query parameter that is not a cache key does not split entries',
    },
    async (f) => {
      const cached = route(f, '/cached');
      const name = keyParameter(cacheOf(f.target));
      const first = await cached.get({ [name]: f.nonce, other: 'a' });
      expectHit(await cached.get({ [name]: f.nonce, other: 'b' }), first);
    },
  );

  cacheCase(
    {
      id: 'cache.key.shared-across-callers',
      title: "one caller's cached answer is served to another: Authorization is not part of the cache key",
      level: 'check',
    },
    async (f) => {
      const cached = route(f, '/cached');
      const query = { [keyParameter(cacheOf(f.target))]: f.nonce };
      const alice = await cached.get(query, { authorization: `Bearer gp-alice-${f.nonce}` });
      expectHit(
        await cached.get(query, { authorization: `Bearer gp-bob-${f.nonce}` }),
        alice,
        "the other caller's request",
      );
    },
  );

  /**
   * Requests a cache key must tell apart, the way key builders go almost right: another case of a
   * value or a name, a long value that differs only past a cut, the parameter sent as a header
   * instead, a space and an encoded plus. Each pair shares nothing but what a faulty key keeps.
   */
  const splits: {
    name: string;
    title: string;
    path: CachedPath;
    pair: (
      name: string,
      nonce: string,
    ) => [Record<string, string>, Record<string, string>, Record<string, string>?];
  }[] = [
    {
      name: 'value-case-splits',
      title: 'cache-key values that differ only in case are different entries',
      path: '/cached',
      pair: (name, nonce) => [{ [name]: `${nonce}-key` }, { [name]: `${nonce}-KEY` }],
    },
    {
      name: 'name-case-splits',
      title: 'a query parameter named like the cache key in another case is not the key',
      path: '/cached-strict',
      pair: (name, nonce) => [{ [name]: nonce }, { [name.toUpperCase()]: nonce }],
    },
    {
      name: 'long-values-split',
      title: 'long cache-key values that differ only in their last character are different entries',
      path: '/cached',
      pair: (name, nonce) => [
        { [name]: `${nonce}-${'x'.repeat(96)}a` },
        { [name]: `${nonce}-${'x'.repeat(96)}b` },
      ],
    },
    {
      name: 'header-not-query',
      title:
        'a header named like a query-string cache key is not the key: the request without it is another entry',
      path: '/cached-silent',
      pair: (name, nonce) => [{ [name]: nonce }, {}, { [name]: nonce }],
    },
    {
      name: 'plus-vs-encoded-plus',
      title: 'a "+" in a cache-key value (a space) and an encoded plus (%2B) are different entries',
      path: '/cached',
      pair: (name, nonce) => [{ [name]: `${nonce} x` }, { [name]: `${nonce}+x` }],
    },
  ];
  for (const split of splits) {
    cacheCase({ id: `cache.key.${split.name}`, title: split.title }, async (f) => {
      const cached = route(f, split.path);
      const [first, second, headers] = split.pair(keyParameter(cacheOf(f.target)), f.nonce);
      const primed = await cached.get(first);
      expect(primed.res.status, 'the first request').toBe(200);
      expectMiss(await cached.get(second, headers), primed);
    });
  }

  cacheCase(
    {
      id: 'cache.method.post-not-cached',
      title: 'POST is not cached: every POST reaches the integration',
    },
    async (f) => {
      const cached = route(f, '/cached');
      const query = { [keyParameter(cacheOf(f.target))]: f.nonce };
      const first = await cached.post(query);
      expectMiss(await cached.post(query), first);
      const get = { [keyParameter(cacheOf(f.target))]: `${f.nonce}-get` };
      const got = await cached.get(get);
      expectCachedPremise(await cached.get(get), got, 'a GET on this route');
    },
  );

  cacheCase(
    {
      id: 'cache.invalidation.authorized-refreshes',
      title:
        'Cache-Control: max-age=0 from a caller allowed execute-api:InvalidateCache is answered by the integration',
    },
    async (f) => {
      const cached = route(f, '/cached');
      const query = { [keyParameter(cacheOf(f.target))]: f.nonce };
      const first = await cached.get(query);
      expectCachedPremise(await cached.get(query), first, 'this route');
      const refreshed = await cached.invalidate(query);
      expect(refreshed.res.status).toBe(200);
      expectMiss(refreshed, first, 'the invalidating request');
    },
  );

  cacheCase(
    {
      id: 'cache.invalidation.authorized-updates',
      title:
        'an authorized invalidation updates the entry: the next plain request gets the fresh answer from the cache',
    },
    async (f) => {
      const cached = route(f, '/cached');
      const query = { [keyParameter(cacheOf(f.target))]: f.nonce };
      const first = await cached.get(query);
      const refreshed = await cached.invalidate(query);
      expect(refreshed.version, 'the invalidating request got a fresh answer').not.toBe(first.version);
      expectHit(await cached.get(query), refreshed, 'the request after the invalidation');
    },
  );

  interface Unauthorized {
    name: string;
    strategy: Strategy;
    title: string;
    check: (sent: Sent, first: Sent, plainHit: Sent) => void;
  }
  const unauthorized: Unauthorized[] = [
    {
      name: 'unauthorized-403',
      strategy: 'FAIL_WITH_403',
      title: 'with FAIL_WITH_403, an unauthorized Cache-Control: max-age=0 is refused with 403',
      check: (sent) => {
        expect(sent.res.status, 'status').toBe(403);
        expect(sent.reached, 'requests that reached the origin').toBe(0);
      },
    },
    {
      name: 'unauthorized-header',
      strategy: 'SUCCEED_WITH_RESPONSE_HEADER',
      title:
        'with SUCCEED_WITH_RESPONSE_HEADER, an unauthorized invalidation is served from the cache and says so in a header',
      check: (sent, first, plainHit) => {
        expectHit(sent, first, 'the unauthorized invalidation');
        expect(extraHeaders(sent.res, plainHit.res), 'headers a plain hit lacks').not.toEqual([]);
      },
    },
    {
      name: 'unauthorized-silent',
      strategy: 'SUCCEED_WITHOUT_RESPONSE_HEADER',
      title:
        'with SUCCEED_WITHOUT_RESPONSE_HEADER, an unauthorized invalidation is served from the cache, nothing said',
      check: (sent, first, plainHit) => {
        expectHit(sent, first, 'the unauthorized invalidation');
        expect(extraHeaders(sent.res, plainHit.res), 'headers a plain hit lacks').toEqual([]);
      },
    },
  ];
  for (const variant of unauthorized) {
    cacheCase({ id: `cache.invalidation.${variant.name}`, title: variant.title }, async (f) => {
      const cache = cacheOf(f.target);
      test.skip(!cache.requireAuthorizationForCacheControl, 'requireAuthorizationForCacheControl is off');
      const routes: [CachedPath, Strategy][] = [
        ['/cached', cache.unauthorizedStrategy],
        ['/cached-strict', 'FAIL_WITH_403'],
        ['/cached-silent', 'SUCCEED_WITHOUT_RESPONSE_HEADER'],
      ];
      const path = routes.find(([, strategy]) => strategy === variant.strategy)?.[0];
      if (!path)
        throw new SetupFailure(`the profile names no cached route with strategy ${variant.strategy}`);
      const cached = route(f, path);
      const query = { [keyParameter(cache)]: f.nonce };
      const first = await cached.get(query);
      // No signature at all: the plainest caller who may not invalidate.
      const sent = await cached.get(query, INVALIDATE);
      const plainHit = await cached.get(query);
      variant.check(sent, first, plainHit);
    });
  }

  /**
   * Callers who may not refresh an entry, though they come close: a valid signature without
   * execute-api:InvalidateCache, the invalidator's access key with a forged signature, and the plain
   * HTTP ways of asking for a fresh answer. Each is served the cached entry on the stage's strategy.
   */
  const notRefreshing: {
    name: string;
    title: string;
    /** The SigV4 variants mean something only where invalidation is authorized by IAM. */
    features?: Feature[];
    headers: (f: Fixtures, query: Record<string, string>) => Record<string, string | string[]>;
  }[] = [
    {
      name: 'signed-without-permission',
      features: ['sigv4'],
      title:
        'Cache-Control: max-age=0 validly signed by a caller without execute-api:InvalidateCache does not refresh the entry',
      headers: (f, query) => {
        const sigv4 = f.target.sigv4;
        if (!sigv4) throw new SetupFailure('the profile has no sigv4 credentials to sign with');
        const { accessKeyId, secretAccessKey } = sigv4;
        return signedInvalidation(f, query, { accessKeyId, secretAccessKey }, sigv4.region);
      },
    },
    {
      name: 'forged-signature',
      features: ['sigv4'],
      title:
        "Cache-Control: max-age=0 naming the invalidator's access key with a forged signature does not refresh the entry",
      headers: (f, query) => {
        const { credentials, region } = invalidator(f.target);
        return signedInvalidation(
          f,
          query,
          { accessKeyId: credentials.accessKeyId, secretAccessKey: 'not-the-secret' },
          region,
        );
      },
    },
    {
      name: 'unauthorized-no-cache',
      title: 'Cache-Control: no-cache from a caller who may not invalidate does not refresh the entry',
      headers: () => ({ 'cache-control': 'no-cache' }),
    },
    {
      name: 'unauthorized-pragma',
      title: 'Pragma: no-cache from a caller who may not invalidate does not refresh the entry',
      headers: () => ({ pragma: 'no-cache' }),
    },
  ];
  for (const variant of notRefreshing) {
    const { features = [] } = variant;
    cacheCase({ id: `cache.invalidation.${variant.name}`, title: variant.title, features }, async (f) => {
      const cache = cacheOf(f.target);
      test.skip(!cache.requireAuthorizationForCacheControl, 'requireAuthorizationForCacheControl is off');
      test.skip(
        cache.unauthorizedStrategy === 'FAIL_WITH_403',
        'routes.cached refuses unauthorized invalidations',
      );
      const cached = route(f, '/cached');
      const query = { [keyParameter(cache)]: f.nonce };
      const first = await cached.get(query);
      expectHit(
        await cached.get(query, variant.headers(f, query)),
        first,
        'the request that may not refresh',
      );
    });
  }

  cacheCase(
    {
      id: 'cache.flush.unauthorized-refused',
      title: 'an unsigned request to flush the stage cache is refused, and the entries stay',
      features: ['cache-flush'],
    },
    async (f) => {
      const cached = route(f, '/cached');
      const query = { [keyParameter(cacheOf(f.target))]: f.nonce };
      const first = await cached.get(query);
      const status = (await flush(f, false)).status;
      expect(status >= 400 && status < 500, `the unsigned flush answered ${status}`).toBe(true);
      expectHit(await cached.get(query), first, 'the request after the refused flush');
    },
  );

  cacheCase(
    {
      id: 'cache.flush.stage',
      title:
        'after the stage cache is flushed, the next request to every cached entry reaches the integration',
      features: ['cache-flush'],
    },
    async (f) => {
      const cache = cacheOf(f.target);
      const name = keyParameter(cache);
      const entries = [route(f, '/cached'), route(f, '/cached-strict')].map((r) => ({
        route: r,
        query: { [name]: f.nonce },
      }));
      const primed = await Promise.all(entries.map((e) => e.route.get(e.query)));
      expect((await flush(f)).status, 'the flush is accepted').toBeLessThan(300);
      const missed = new Set<number>();
      // A flush may take a moment to be seen; each entry needs one miss, then it is cached again.
      await expect(async () => {
        for (const [i, e] of entries.entries()) {
          if (missed.has(i)) continue;
          const sent = await e.route.get(e.query);
          if (sent.reached === 1 && sent.version !== primed[i]!.version) missed.add(i);
        }
        expect(
          [...missed].sort(),
          `entries ${entries.map((e) => e.route.path).join(', ')} seen missing`,
        ).toEqual([0, 1]);
      }).toPass({ timeout: 5_000, intervals: [250, 500, 1000] });
    },
  );

  cacheCase(
    {
      id: 'cache.size.over-1mib',
      title: 'a response over 1 MiB is not cached',
    },
    async (f) => {
      const cached = route(f, '/cached');
      const query = { [keyParameter(cacheOf(f.target))]: f.nonce };
      const big = { 'x-gp-pad-bytes': String(1024 * 1024 + 64 * 1024) };
      const first = await cached.get(query, big);
      expect(first.res.bodyBytes, 'the answer is over 1 MiB').toBeGreaterThan(1024 * 1024);
      expectMiss(await cached.get(query, big), first);
    },
  );

  cacheCase(
    {
      id: 'cache.errors.client-error-not-cached',
      title: "the integration's 403 answer is not cached: the next request reaches the integration",
      level: 'check',
    },
    async (f) => {
      const cached = route(f, '/cached');
      const query = { [keyParameter(cacheOf(f.target))]: f.nonce };
      const failing = { 'x-gp-status': '403' };
      const first = await cached.get(query, failing);
      expect(first.res.status, 'the integration refused').toBe(403);
      expectMiss(await cached.get(query, failing), first);
    },
  );

  cacheCase(
    {
      id: 'cache.errors.not-cached',
      title: "the integration's error answer (500) is not cached: the next request reaches the integration",
      level: 'check',
    },
    async (f) => {
      const cached = route(f, '/cached');
      const query = { [keyParameter(cacheOf(f.target))]: f.nonce };
      const failing = { 'x-gp-status': '500' };
      const first = await cached.get(query, failing);
      expect(first.res.status, 'the integration failed').toBe(500);
      expectMiss(await cached.get(query, failing), first);
    },
  );
});

/** FlushStageCache on the control plane the profile names, signed like any AWS API call (or not at all). */
async function flush({ target, evidence }: Fixtures, sign = true): Promise<{ status: number }> {
  const endpoint = cacheOf(target).flush;
  if (!endpoint) throw new SetupFailure('the profile names no cache.flush endpoint');
  const { credentials, region } = invalidator(target);
  const signed = sign
    ? signRequest({
        method: endpoint.method,
        url: endpoint.url,
        credentials,
        region,
        service: endpoint.service,
      })
    : { method: endpoint.method, url: endpoint.url, headers: {} };
  const started = performance.now();
  const record: Evidence = {
    request: { method: signed.method, url: signed.url, headers: flattenHeaders(signed.headers) },
  };
  try {
    const res = await boundedExchange(signed.url, {
      method: endpoint.method,
      headers: signed.headers,
      timeoutMs: target.timeoutMs,
    });
    record.response = {
      status: res.status,
      headers: res.headers,
      body: res.body.text.slice(0, 4096),
      bodyBytes: res.body.bytes,
      bodySha256: res.body.sha256,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
    };
    return { status: res.status };
  } catch (err) {
    record.error = describeTransportError(err);
    throw err;
  } finally {
    evidence.push(record);
  }
}
