import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { type SignInput, signingStrings, signRequest } from '../src/auth/sigv4-sign.js';
import {
  type CredentialStore,
  createSigV4Verifier,
  type SigV4FailureType,
} from '../src/reference/sigv4-verifier.js';
import {
  FIXTURE_VECTORS,
  loadVectors,
  type RawRequest,
  rawToInput,
  SHARED_VECTORS,
  signedToInput,
  VECTOR,
  VECTORS_DIR,
} from './sigv4-helpers.js';

/**
 * Every case of the AWS SigV4 test suite, through the signer (aws4) and through the reference
 * gateway's verifier. All 31 go through aws4: the two whose request lines hold unencoded paths
 * (get-utf8, normalize-path/get-space) are signed with `singleEncodePath`, because on the wire those
 * paths would already be encoded once and execute-api's second encoding would then apply.
 */

const vectors = loadVectors();
const TOKEN_HEADER = 'x-amz-security-token';

function headerName(raw: RawRequest, lowerName: string): string | undefined {
  return Object.keys(raw.headers).find((name) => name.toLowerCase() === lowerName);
}

function tokenOf(raw: RawRequest): string | undefined {
  const name = headerName(raw, TOKEN_HEADER);
  return name ? raw.headers[name]![0] : undefined;
}

function signInput(raw: RawRequest, sessionToken: string | undefined): SignInput {
  const host = raw.headers[headerName(raw, 'host')!]![0]!;
  return {
    method: raw.method,
    url: `http://${host}${raw.path}${raw.query ? `?${raw.query}` : ''}`,
    headers: raw.headers,
    ...(raw.body !== '' && { body: raw.body }),
    credentials: { accessKeyId: VECTOR.accessKeyId, secretAccessKey: VECTOR.secretAccessKey, sessionToken },
    region: VECTOR.region,
    service: VECTOR.service,
    date: VECTOR.date,
    singleEncodePath: true,
  };
}

/** The credential as the gateway knows it: temporary (with the suite's token) for the STS cases. */
function store(sessionToken: string | undefined): CredentialStore {
  return new Map([
    [
      VECTOR.accessKeyId,
      {
        secretAccessKey: VECTOR.secretAccessKey,
        sessionToken,
        arn: 'arn:aws:iam::123456789012:user/example',
        policy: { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
      },
    ],
  ]);
}

function verifierAt(ms: number, sessionToken: string | undefined, service: string = VECTOR.service) {
  return createSigV4Verifier({
    credentials: store(sessionToken),
    region: VECTOR.region,
    service,
    now: () => ms,
  });
}

function copy(raw: RawRequest): RawRequest {
  return { ...raw, headers: Object.fromEntries(Object.entries(raw.headers).map(([n, v]) => [n, [...v]])) };
}

interface Change {
  what: string;
  change: (raw: RawRequest) => void;
  /** The failure expected; undefined: any rejection (a removed header can fail several ways). */
  expect?: SigV4FailureType;
}

/** Every signed part of a case changed on its own, plus the signature itself and the session token. */
function changes(v: (typeof vectors)[number]): Change[] {
  const signed = /SignedHeaders=([^,]+)/.exec(v.authz)![1]!.split(';');
  const list: Change[] = [
    {
      what: 'the method changes',
      change: (r) => {
        r.method = r.method === 'GET' ? 'POST' : 'GET';
      },
      expect: 'INVALID_SIGNATURE',
    },
    {
      what: 'the path changes',
      change: (r) => {
        r.path = `/tampered${r.path}`;
      },
      expect: 'INVALID_SIGNATURE',
    },
    {
      what: 'a query parameter is added',
      change: (r) => {
        r.query = r.query ? `${r.query}&tampered=1` : 'tampered=1';
      },
      expect: 'INVALID_SIGNATURE',
    },
    {
      what: 'the body changes',
      change: (r) => {
        r.body = `${r.body}x`;
      },
      expect: 'INVALID_SIGNATURE',
    },
    {
      what: 'the signature changes',
      change: (r) => {
        const name = headerName(r, 'authorization')!;
        r.headers[name] = [r.headers[name]![0]!.replace(/.$/, (c) => (c === '0' ? '1' : '0'))];
      },
      expect: 'INVALID_SIGNATURE',
    },
  ];
  for (const header of signed) {
    list.push({
      what: `the signed header ${header} changes`,
      change: (r) => {
        const values = r.headers[headerName(r, header)!]!;
        const last = values.length - 1;
        // One second later: still a well-formed time inside the skew, so only the signature can catch it.
        values[last] = header === 'x-amz-date' ? '20150830T123601Z' : `${values[last]}-tampered`;
      },
      expect: header === TOKEN_HEADER ? 'UNRECOGNIZED_CLIENT' : 'INVALID_SIGNATURE',
    });
    list.push({
      what: `the signed header ${header} is removed`,
      change: (r) => void delete r.headers[headerName(r, header)!],
    });
  }
  if (tokenOf(v.sreq) !== undefined && !signed.includes(TOKEN_HEADER)) {
    list.push({
      what: 'the unsigned session token changes',
      change: (r) => {
        const values = r.headers[headerName(r, TOKEN_HEADER)!]!;
        values[0] = `${values[0]}x`;
      },
      expect: 'UNRECOGNIZED_CLIENT',
    });
  }
  return list;
}

test('the suite has its 31 cases, the normalize-path and post-sts-token ones included', () => {
  assert.equal(vectors.length, 31);
  assert.equal(vectors.filter((v) => v.name.startsWith('normalize-path/')).length, 7);
  assert.deepEqual(
    vectors.filter((v) => v.name.startsWith('post-sts-token/')).map((v) => v.name),
    ['post-sts-token/post-sts-header-after', 'post-sts-token/post-sts-header-before'],
  );
});

test('the copy in test/fixtures is the suite beside the clone', (t) => {
  if (VECTORS_DIR !== SHARED_VECTORS) return t.skip('no ../shared/vectors/sigv4 beside this clone');
  const files = (root: string): string[] =>
    readdirSync(root, { recursive: true, encoding: 'utf8' })
      .filter((f) => statSync(join(root, f)).isFile())
      .sort();
  assert.ok(existsSync(FIXTURE_VECTORS), 'test/fixtures/sigv4 is missing');
  assert.deepEqual(files(FIXTURE_VECTORS), files(SHARED_VECTORS));
  for (const file of files(SHARED_VECTORS)) {
    assert.equal(
      readFileSync(join(FIXTURE_VECTORS, file), 'utf8'),
      readFileSync(join(SHARED_VECTORS, file), 'utf8'),
      relative(SHARED_VECTORS, join(SHARED_VECTORS, file)),
    );
  }
});

for (const v of vectors) {
  describe(v.name, () => {
    const token = tokenOf(v.sreq);
    // post-sts-header-after: the token is added after signing, so the signer never sees it.
    const signerToken = tokenOf(v.req);

    test('aws4 produces the canonical request, the string to sign and the Authorization header', () => {
      const input = signInput(v.req, signerToken);
      const strings = signingStrings(input);
      assert.equal(strings.canonicalRequest, v.creq);
      assert.equal(strings.stringToSign, v.sts);
      const signed = signRequest(input);
      assert.equal(signed.headers.authorization, v.authz);
      if (token !== undefined) signed.headers[TOKEN_HEADER] = token;
      const expected = Object.fromEntries(
        Object.entries(v.sreq.headers).map(([n, values]) => [
          n.toLowerCase(),
          values.length === 1 ? values[0] : values,
        ]),
      );
      assert.deepEqual(signed.headers, expected);
    });

    test('the verifier accepts the signed request at the time it was signed', () => {
      const verdict = verifierAt(VECTOR.date.getTime(), token)(rawToInput(v.sreq));
      assert.deepEqual(verdict.ok ? verdict.principal.accessKeyId : verdict, VECTOR.accessKeyId);
    });

    for (const { what, change, expect } of changes(v)) {
      test(`the verifier rejects it once ${what}`, () => {
        const tampered = copy(v.sreq);
        change(tampered);
        const verdict = verifierAt(VECTOR.date.getTime(), token)(rawToInput(tampered));
        assert.equal(verdict.ok, false);
        if (expect && !verdict.ok) assert.equal(verdict.type, expect, verdict.message);
      });
    }

    test('the verifier rejects it as expired when replayed today', () => {
      const now = Date.now();
      const verdict = verifierAt(now, token)(rawToInput(v.sreq));
      assert.ok(!verdict.ok);
      const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '');
      assert.equal(
        verdict.message,
        `Signature expired: 20150830T123600Z is now earlier than ${stamp(now - 300_000)} (${stamp(now)} - 5 min.)`,
      );
      assert.equal(verdict.errorType, 'InvalidSignatureException');
    });

    test('signed today for execute-api, as sent on the wire, it is accepted by the verifier', () => {
      const now = new Date();
      const signed = signRequest({
        ...signInput(v.req, token),
        service: 'execute-api',
        date: now,
        singleEncodePath: false,
      });
      const verdict = verifierAt(now.getTime(), token, 'execute-api')(signedToInput(signed));
      assert.deepEqual(verdict.ok || verdict, true);
    });
  });
}
