import type { paths } from '../src/contract/generated/probe-api.js';
import type { Exchange, TypedClient } from '../src/contract/typed-client.js';
import type { Echo } from '../src/probe/protocol.js';
import { SetupFailure } from '../src/run/case-meta.js';
import type { Profile } from '../src/target/profile-schema.js';
import {
  expectGatewayResponse,
  expectNotReached,
  expectReached,
  expectRefused,
  type Rejection,
} from './expectations.js';
import { expect, gateCase, test } from './fixtures.js';
import { spoofCases } from './identity-spoofing.js';
import { expectPremise } from './premise.js';

/**
 * Lambda authorizers (REST): the function's answer decides, Allow admits with its principal and
 * context passed on, Deny is 403, "Unauthorized" 401, a crash 500; a missing or malformed identity
 * is refused without calling the function at all; a cached answer lives its TTL and belongs to the
 * identity it was given for. The TOKEN route caches nothing; the REQUEST route caches by its
 * identity sources (Authorization and the nonce), so each case has its own entries.
 */

const REF = 'aws-semantics.md#authorizers (Lambda authorizer)';
const MAX_TTL_TO_WAIT_S = 10;

type Client = TypedClient<paths>;
type Tokens = NonNullable<Profile['authorizer']>['tokens'];

const REJECT = {
  deny: {
    statuses: [401, 403],
    aws: {
      status: 403,
      message: 'User is not authorized to access this resource with an explicit deny',
      errorType: 'AccessDeniedException',
    },
  },
  unauthorized: {
    statuses: [401, 403],
    aws: { status: 401, message: 'Unauthorized', errorType: 'UnauthorizedException' },
  },
  // Failing closed with a 4xx is as safe as API Gateway's 500.
  crash: {
    statuses: [401, 403, 500, 502, 503],
    aws: { status: 500, message: null, errorType: 'AuthorizerConfigurationException' },
  },
} satisfies Record<string, Rejection>;

function authorizerOf(target: Profile): NonNullable<Profile['authorizer']> {
  if (!target.authorizer) throw new SetupFailure('the profile has no authorizer section (tokens)');
  return target.authorizer;
}

function token(target: Profile, which: keyof Tokens): string {
  const value = authorizerOf(target).tokens[which];
  if (value === undefined) throw new SetupFailure(`the profile has no authorizer.tokens.${which}`);
  return value;
}

const viaToken = (client: Client, nonce: string, authorization?: string) =>
  client.get('/authorizer', {
    query: { gpn: nonce },
    headers: authorization === undefined ? {} : { authorization },
  });

const viaRequest = (client: Client, nonce: string, authorization: string) =>
  client.get('/authorizer-request', { query: { gpn: nonce }, headers: { authorization } });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Refused, whichever way: a collision must not admit the request, whatever the refusal says. */
const ANY_REFUSAL = [401, 403, 500];

/** The function's call number, as its context carried it to the integration. */
function invocation(target: Profile, res: Exchange): number {
  expect(res.status, 'an allowed request').toBe(200);
  const key = authorizerOf(target).invocationKey;
  if (!key) throw new SetupFailure('the profile names no authorizer.invocationKey: calls cannot be counted');
  const header = `x-gp-authorizer-${key.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`;
  const value = (res.json as Echo | undefined)?.headers[header];
  // The profile says the function numbers its calls in this key: if the number does not reach the
  // integration as a plain string, the gateway mangled or dropped its context.
  expectPremise(
    value !== undefined && /^\d+$/.test(value),
    `the authorizer's context carries its call number (${key}) to the integration as ${header}`,
    value === undefined ? `no ${header} reached the origin` : `${header}: ${value}`,
  );
  return Number(value);
}

/** The TTL of the cached route, if short enough to wait out. */
function ttlOf(target: Profile): number {
  const ttl = authorizerOf(target).resultTtlSeconds;
  if (ttl === 0) throw new SetupFailure('authorizer.resultTtlSeconds is 0: the REQUEST route caches nothing');
  if (ttl > MAX_TTL_TO_WAIT_S) {
    throw new SetupFailure(
      `authorizer.resultTtlSeconds is ${ttl}: too long to wait (> ${MAX_TTL_TO_WAIT_S})`,
    );
  }
  return ttl;
}

const authorizerCase = (
  meta: { id: string; title: string; refs?: string[] },
  body: Parameters<typeof gateCase>[1],
) => gateCase({ ...meta, level: 'core', features: ['authorizer'], refs: meta.refs ?? [REF] }, body);

test.describe('authorizer', () => {
  authorizerCase(
    { id: 'authorizer.accept.allow', title: 'a token the function allows reaches the integration' },
    async ({ client, target, probe, nonce }) => {
      const res = await viaToken(client, nonce, token(target, 'allow'));
      expect(res.status).toBe(200);
      expect(res.json?.nonce, 'the echo is of this request').toBe(nonce);
      await expectReached(probe, nonce, 1);
    },
  );

  authorizerCase(
    {
      id: 'authorizer.accept.context-forwarded',
      title: "the function's principalId and context reach the integration, every value as a string",
    },
    async ({ client, target, nonce }) => {
      const res = await viaToken(client, nonce, token(target, 'allow'));
      expect(res.status).toBe(200);
      const headers = (res.json as Echo | undefined)?.headers ?? {};
      expect(headers['x-gp-authorizer-principalid'] ?? '', 'principalId at the integration').not.toBe('');
      for (const [key, value] of Object.entries(authorizerOf(target).context ?? {})) {
        expect(headers[`x-gp-authorizer-${key.toLowerCase()}`], `context.${key} at the integration`).toBe(
          value,
        );
      }
    },
  );

  const refusals = [
    { name: 'deny', title: 'a token the function denies is refused', rejection: REJECT.deny },
    {
      name: 'unauthorized',
      title: 'a token the function answers "Unauthorized" is refused with 401',
      rejection: REJECT.unauthorized,
    },
    {
      name: 'crash',
      title: 'a token that makes the function crash is refused (500), never let through',
      rejection: REJECT.crash,
    },
  ] as const;

  for (const refusal of refusals) {
    authorizerCase(
      { id: `authorizer.reject.${refusal.name}`, title: refusal.title },
      async ({ client, target, probe, nonce, strict }) => {
        expectRefused(await viaToken(client, nonce, token(target, refusal.name)), refusal.rejection, strict);
        await expectNotReached(probe, nonce);
      },
    );
  }

  const identities = [
    {
      name: 'missing-not-called',
      title: 'a request without its identity source is refused with 401 without calling the function',
      authorization: () => undefined,
    },
    {
      name: 'invalid-not-called',
      title: 'a token failing identityValidationExpression is refused with 401 without calling the function',
      authorization: (target: Profile) => `${token(target, 'allow')}*`,
    },
  ];

  for (const identity of identities) {
    authorizerCase(
      { id: `authorizer.identity.${identity.name}`, title: identity.title },
      async ({ client, target, probe, nonce, strict }) => {
        // Two allowed calls around the refused one: with nothing else calling, their numbers are consecutive.
        const before = invocation(target, await viaToken(client, `${nonce}-before`, token(target, 'allow')));
        expectRefused(
          await viaToken(client, nonce, identity.authorization(target)),
          REJECT.unauthorized,
          strict,
        );
        const after = invocation(target, await viaToken(client, `${nonce}-after`, token(target, 'allow')));
        await expectNotReached(probe, nonce);
        expect(after - before, 'calls of the function for the refused request, plus one').toBe(1);
      },
    );
  }

  authorizerCase(
    {
      id: 'authorizer.identity.header-name-case',
      title: 'the identity-source header is found whatever the case of its name (AUTHORIZATION)',
      refs: [REF, 'RFC 9110 §5.1'],
    },
    async ({ client, target, nonce }) => {
      const res = await client.get('/authorizer', {
        query: { gpn: nonce },
        headers: { AUTHORIZATION: token(target, 'allow') },
      });
      expect(res.status, 'status').toBe(200);
      expect(res.json?.nonce, 'the echo is of this request').toBe(nonce);
    },
  );

  authorizerCase(
    {
      id: 'authorizer.identity.empty-not-called',
      title:
        'a request whose identity source is present but empty is refused with 401 without calling the function',
    },
    async ({ client, target, probe, nonce, strict }) => {
      // Counted on the uncached route, so no cached answer of this case is left for the next ones.
      const allow = token(target, 'allow');
      const before = invocation(target, await viaToken(client, `${nonce}-before`, allow));
      expectRefused(await viaRequest(client, nonce, ''), REJECT.unauthorized, strict);
      const after = invocation(target, await viaToken(client, `${nonce}-after`, allow));
      await expectNotReached(probe, nonce);
      expect(after - before, 'calls of the function for the refused request, plus one').toBe(1);
    },
  );

  spoofCases(
    'authorizer',
    'on a method with a Lambda authorizer',
    ['authorizer'],
    ({ client, target, nonce }, spoofed) =>
      client.get('/authorizer', {
        query: { gpn: nonce },
        headers: { ...spoofed, authorization: token(target, 'allow') },
      }),
  );

  for (const refusal of refusals) {
    authorizerCase(
      {
        id: `authorizer.response.${refusal.name}-body`,
        title: `the ${refusal.name} refusal is API Gateway's: ${refusal.rejection.aws.status} ${JSON.stringify(refusal.rejection.aws.message)} (${refusal.rejection.aws.errorType})`,
      },
      async ({ client, target, nonce, strict }) => {
        test.skip(!strict, 'API Gateway body and header: asserted at --profile aws only');
        expectGatewayResponse(await viaToken(client, nonce, token(target, refusal.name)), refusal.rejection);
      },
    );
  }

  // The cached route, last: each case keys its entries with its own nonce.
  authorizerCase(
    {
      id: 'authorizer.cache.reused-until-ttl',
      title: 'a cached answer is still served near the end of its TTL',
    },
    async ({ client, target, nonce }) => {
      const ttl = ttlOf(target);
      const first = invocation(target, await viaRequest(client, nonce, token(target, 'allow')));
      // A second short of the TTL: room for a slow request, and past a cache that keeps entries a second.
      await sleep(Math.max(0, ttl * 1000 - 1000));
      const late = invocation(target, await viaRequest(client, nonce, token(target, 'allow')));
      expect(late, 'the call that answered the request near the end of the TTL').toBe(first);
    },
  );

  authorizerCase(
    {
      id: 'authorizer.cache.reused-within-ttl',
      title:
        'within the result TTL, the same identity is served the cached answer without calling the function',
    },
    async ({ client, target, nonce }) => {
      ttlOf(target);
      const first = invocation(target, await viaRequest(client, nonce, token(target, 'allow')));
      const second = invocation(target, await viaRequest(client, nonce, token(target, 'allow')));
      expect(second, 'the call that answered the second request').toBe(first);
    },
  );

  authorizerCase(
    {
      id: 'authorizer.cache.expires-after-ttl',
      title: 'once the result TTL has passed, the function is called again',
    },
    async ({ client, target, nonce }) => {
      const ttl = ttlOf(target);
      const first = invocation(target, await viaRequest(client, nonce, token(target, 'allow')));
      // A new call after the TTL proves an expiry only if the answer was cached in the first place.
      const repeat = invocation(target, await viaRequest(client, nonce, token(target, 'allow')));
      expectPremise(
        repeat === first,
        "the function's answer was cached, so that a call after the TTL shows it expired",
        `call ${repeat} answered the immediate repeat, call ${first} the first request`,
      );
      await new Promise((resolve) => setTimeout(resolve, ttl * 1000));
      await expect
        .poll(async () => invocation(target, await viaRequest(client, nonce, token(target, 'allow'))), {
          timeout: 5_000,
          intervals: [250, 500],
        })
        .not.toBe(first);
    },
  );

  authorizerCase(
    {
      id: 'authorizer.cache.no-leak-across-identities',
      title: "one caller's cached Allow is never served to another identity: the other's Deny stands",
    },
    async ({ client, target, probe, nonce, strict }) => {
      ttlOf(target);
      expect((await viaRequest(client, nonce, token(target, 'allow'))).status, 'the first caller').toBe(200);
      const reached = await probe.reached(nonce);
      expectRefused(await viaRequest(client, nonce, token(target, 'deny')), REJECT.deny, strict);
      await expectReached(probe, nonce, reached);
    },
  );

  authorizerCase(
    {
      id: 'authorizer.cache.deny-not-reused-for-allow',
      title: "one caller's cached Deny is never served to another identity: the other's Allow stands",
    },
    async ({ client, target, nonce, strict }) => {
      ttlOf(target);
      expectRefused(await viaRequest(client, nonce, token(target, 'deny')), REJECT.deny, strict);
      const res = await viaRequest(client, nonce, token(target, 'allow'));
      expect(res.status, 'the other caller').toBe(200);
      expect(res.json?.nonce, 'the echo is of this request').toBe(nonce);
    },
  );

  authorizerCase(
    {
      id: 'authorizer.cache.identities-side-by-side',
      title: "two identities' answers are cached side by side: the second does not evict the first",
    },
    async ({ client, target, nonce }) => {
      ttlOf(target);
      const allow = token(target, 'allow');
      const first = invocation(target, await viaRequest(client, `${nonce}-a`, allow));
      await viaRequest(client, `${nonce}-b`, allow);
      const again = invocation(target, await viaRequest(client, `${nonce}-a`, allow));
      expect(again, 'the call that answered the first identity again').toBe(first);
    },
  );

  authorizerCase(
    {
      id: 'authorizer.cache.keyed-on-every-source',
      title:
        'the cache is keyed on every identity source: the same token with another value of the second is a new call',
    },
    async ({ client, target, nonce }) => {
      ttlOf(target);
      const allow = token(target, 'allow');
      const first = invocation(target, await viaRequest(client, `${nonce}-a`, allow));
      const second = invocation(target, await viaRequest(client, `${nonce}-b`, allow));
      expect(second, 'the call that answered the request with the other source value').not.toBe(first);
    },
  );

  authorizerCase(
    {
      id: 'authorizer.cache.no-key-collision',
      title:
        "identity sources are kept apart in the cache key: characters moved from the token to the next source do not hit the token's Allow",
    },
    async ({ client, target, probe, nonce }) => {
      ttlOf(target);
      const allow = token(target, 'allow');
      expect((await viaRequest(client, nonce, allow)).status, 'the allowed caller').toBe(200);
      // The same characters in sequence, cut at another place: a joined key would be the same.
      const cut = Math.min(5, allow.length - 1);
      const moved = `${allow.slice(cut)}${nonce}`;
      const res = await viaRequest(client, moved, allow.slice(0, cut));
      expect(ANY_REFUSAL, `status ${res.status} is not a refusal`).toContain(res.status);
      await expectNotReached(probe, moved);
    },
  );
});
