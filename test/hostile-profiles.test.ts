import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { watchedRun } from './helpers/watched-run.js';

/**
 * Malformed, oversized and hostile target profiles: each is refused before the run with one line
 * naming the file and the field, exit code 2, no stack trace, quickly and in bounded memory, and
 * without echoing the secret it holds.
 */

const dir = mkdtempSync(join(tmpdir(), 'gp-bad-profiles-'));
const SECRET = 'pw-Kx93Lq0Zr7Ty';
const BASE = 'name: bad\nbaseUrl: http://127.0.0.1:9\n';
const MAX_MS = 10_000;
const MAX_PEAK_MIB = 300;

interface BadProfile {
  name: string;
  /** The profile's text, or a path prepared by `path`. */
  yaml?: string;
  path?: () => string;
  env?: Record<string, string>;
  error: RegExp;
}

const bomb = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
  'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
  'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
  'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
  'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
].join('\n');
const many = (n: number, item: string) => `[${Array.from({ length: n }, () => item).join(',')}]`;

const CORPUS: BadProfile[] = [
  { name: 'empty', yaml: '', error: /empty\.yaml: the profile is empty/ },
  { name: 'a list', yaml: '- name: x\n', error: /a-list\.yaml:1: \(top level\): / },
  { name: 'a scalar', yaml: 'hello\n', error: /a-scalar\.yaml:1: \(top level\): / },
  { name: 'broken flow', yaml: `${BASE}features: [\n`, error: /broken-flow\.yaml:\d+: invalid YAML: / },
  {
    name: 'bad indent',
    yaml: 'name: a\n  baseUrl: http://x\n',
    error: /bad-indent\.yaml:\d+: invalid YAML: /,
  },
  { name: 'duplicate key', yaml: `${BASE}name: again\n`, error: /duplicate-key\.yaml:3: invalid YAML: / },
  { name: 'two documents', yaml: `${BASE}---\nname: b\n`, error: /two-documents\.yaml:3: invalid YAML: / },
  { name: 'alias bomb', yaml: `${BASE}${bomb}\n`, error: /alias-bomb\.yaml:\d+: YAML alias bomb: / },
  {
    name: 'deep nesting',
    yaml: `${BASE}features: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`,
    error: /deep-nesting\.yaml:\d+: invalid YAML: /,
  },
  {
    name: 'over 1 MiB',
    yaml: `${BASE}${'# padding\n'.repeat(110_000)}`,
    error: /over-1-mib\.yaml: over 1 MiB; /,
  },
  { name: 'NUL bytes', yaml: `${BASE}\0\0\0\u0001\n`, error: /nul-bytes\.yaml:\d+: / },
  {
    name: 'binary',
    yaml: Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)).toString('latin1'),
    error: /binary\.yaml:\d+: /,
  },
  { name: 'dev zero', path: () => '/dev/zero', error: /\/dev\/zero: not a regular file/ },
  { name: 'directory', path: () => dir, error: /: not a regular file/ },
  {
    name: 'fifo without writer',
    path: () => {
      const fifo = join(dir, 'fifo.yaml');
      execFileSync('mkfifo', [fifo]);
      return fifo;
    },
    error: /fifo\.yaml: not a regular file/,
  },
  {
    name: 'missing file',
    path: () => join(dir, 'nope.yaml'),
    error: /cannot read target profile .*nope\.yaml: ENOENT/,
  },
  { name: 'not a url', yaml: 'name: bad\nbaseUrl: not a url\n', error: /not-a-url\.yaml:2: baseUrl: / },
  { name: 'ftp url', yaml: 'name: bad\nbaseUrl: ftp://127.0.0.1/\n', error: /ftp-url\.yaml:2: baseUrl: / },
  {
    name: 'javascript url',
    yaml: 'name: bad\nbaseUrl: "javascript:alert(1)"\n',
    error: /javascript-url\.yaml:2: baseUrl: /,
  },
  {
    name: 'password in a bad url',
    yaml: 'name: bad\nbaseUrl: http://u:${PW}@127.0.0.1:99999999/\n',
    env: { PW: SECRET },
    error: /password-in-a-bad-url\.yaml:2: baseUrl: /,
  },
  { name: 'unknown key', yaml: `${BASE}baseURL: http://x\n`, error: /unknown-key\.yaml:\d+: .*baseURL/ },
  {
    name: 'timeout as text',
    yaml: `${BASE}timeoutMs: fast\n`,
    error: /timeout-as-text\.yaml:3: timeoutMs: /,
  },
  {
    name: 'negative timeout',
    yaml: `${BASE}timeoutMs: -5\n`,
    error: /negative-timeout\.yaml:3: timeoutMs: /,
  },
  {
    name: 'endless timeout',
    yaml: `${BASE}timeoutMs: 1e300\n`,
    error: /endless-timeout\.yaml:3: timeoutMs: /,
  },
  {
    name: 'unknown feature',
    yaml: `${BASE}features: [teleport]\n`,
    error: /unknown-feature\.yaml:3: features\.0: /,
  },
  {
    name: 'endless feature list',
    yaml: `${BASE}features: ${many(5000, 'apikey')}\n`,
    error: /endless-feature-list\.yaml:3: features: .*1000/,
  },
  {
    name: 'endless key list',
    yaml: `${BASE}apiKeys:\n  valid: abcdefgh12\n  quota: ${many(20_000, 'abcdefgh12')}\n`,
    error: /endless-key-list\.yaml:5: apiKeys\.quota: .*1000/,
  },
  {
    name: 'endless context',
    yaml: `${BASE}authorizer:\n  tokens: { allow: a1234567, deny: b1234567, unauthorized: c1234567 }\n  context: {${Array.from({ length: 1500 }, (_, i) => `k${i}: v`).join(', ')}}\n`,
    error: /endless-context\.yaml:5: authorizer\.context: .*1000 entries/,
  },
  {
    name: 'key with trailing newline',
    yaml: `${BASE}apiKeys:\n  valid: \${KEY}\n`,
    env: { KEY: `${SECRET}\n` },
    error: /key-with-trailing-newline\.yaml:4: apiKeys\.valid: cannot be sent in an HTTP header/,
  },
  {
    name: 'key with header injection',
    yaml: `${BASE}apiKeys:\n  valid: "abc\\r\\nx-injected: 1"\n`,
    error: /key-with-header-injection\.yaml:4: apiKeys\.valid: cannot be sent in an HTTP header/,
  },
  {
    name: 'key with a control character',
    yaml: `${BASE}apiKeys:\n  valid: "abc\\x01defgh"\n`,
    error: /key-with-a-control-character\.yaml:4: apiKeys\.valid: cannot be sent/,
  },
  {
    name: 'key of 100 KB',
    yaml: `${BASE}apiKeys:\n  valid: \${KEY}\n`,
    env: { KEY: 'k'.repeat(100_000) },
    error: /key-of-100-kb\.yaml:4: apiKeys\.valid: over 64 KiB/,
  },
  {
    name: 'name of 900 KB',
    yaml: `name: ${'n'.repeat(900_000)}\nbaseUrl: http://127.0.0.1:9\n`,
    error: /name-of-900-kb\.yaml:1: name: over 64 KiB/,
  },
  {
    name: 'unset variable',
    yaml: `${BASE}apiKeys:\n  valid: \${NOT_SET_ANYWHERE}\n`,
    error: /unset-variable\.yaml:4: .*NOT_SET_ANYWHERE/,
  },
  {
    name: 'bad invalidation header name',
    yaml: `${BASE}cache:\n  invalidationHeaders:\n    "x bad": abcdefgh12\n`,
    error: /bad-invalidation-header-name\.yaml:\d+: cache\.invalidationHeaders/,
  },
  {
    name: 'origin with a newline',
    yaml: `${BASE}cors:\n  allowOrigins: ["https://a.example\\nx: y"]\n`,
    error: /origin-with-a-newline\.yaml:4: cors\.allowOrigins\.0: cannot be sent/,
  },
  {
    name: 'route without slash',
    yaml: `${BASE}routes:\n  open: open\n`,
    error: /route-without-slash\.yaml:4: routes\.open: /,
  },
  {
    name: 'kind reference',
    yaml: `${BASE}kind: reference\n`,
    error: /kind-reference\.yaml: kind reference is started with --target reference/,
  },
  { name: 'bad mode', yaml: `${BASE}mode: soap\n`, error: /bad-mode\.yaml:3: mode: / },
  {
    name: 'negative quota',
    yaml: `${BASE}plans:\n  tinyQuota:\n    quota: { limit: -1, period: DAY }\n`,
    error: /negative-quota\.yaml:5: plans\.tinyQuota\.quota\.limit: /,
  },
  {
    name: 'page origin off loopback',
    yaml: `${BASE}cors:\n  allowOrigins: [https://a.example]\n  pages: { allowed: "http://evil.example:80", disallowed: "http://127.0.0.1:2" }\n`,
    error: /page-origin-off-loopback\.yaml:5: cors\.pages\.allowed: /,
  },
];

test('the corpus holds at least 30 malformed profiles', () => {
  assert.ok(CORPUS.length >= 30, `${CORPUS.length}`);
});

for (const bad of CORPUS) {
  test(`a profile that is ${bad.name} is refused at the door`, async () => {
    const slug = bad.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
    let file: string;
    if (bad.path) file = bad.path();
    else {
      file = join(dir, `${slug}.yaml`);
      writeFileSync(file, bad.yaml ?? '');
    }
    const out = join(dir, `out-${slug}`);
    mkdirSync(out, { recursive: true });
    const run = await watchedRun(['run', '--target', file, '--no-load', '--out', out], {
      ...(bad.env ? { env: bad.env } : {}),
      timeoutMs: 60_000,
    });
    assert.equal(run.code, 2, run.stderr);
    const lines = run.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `one line:\n${run.stderr}`);
    assert.match(lines[0]!, /^gateproof: /);
    assert.match(lines[0]!, bad.error);
    assert.doesNotMatch(lines[0]!, /internal error/);
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
    assert.ok(!`${run.stdout}${run.stderr}`.includes(SECRET), 'the secret is not echoed');
    assert.ok(run.ms < MAX_MS, `took ${run.ms} ms`);
    assert.ok(run.peakMiB < MAX_PEAK_MIB, `peak memory ${run.peakMiB} MiB`);
  });
}
