import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parse, stringify } from 'yaml';
import { parseProfile } from '../src/target/load-profile.js';
import { profileSchema } from '../src/target/profile-schema.js';
import { INIT_KINDS } from '../src/target/profile-templates.js';
import { gateproof } from './helpers/cli.js';
import { freePort, type Service, startService } from './helpers/cli-service.js';

const dir = mkdtempSync(join(tmpdir(), 'gp-doctor-'));
const services: Service[] = [];
after(async () => {
  for (const s of services) await s.stop();
});

/** Every variable set, so a template is judged on its shape. */
const anyEnv = new Proxy({} as NodeJS.ProcessEnv, {
  get: (_t, name) => (String(name).endsWith('_URL') ? 'http://gateway.example' : `value-of-${String(name)}`),
});
const knownKinds: readonly string[] = profileSchema.shape.kind.removeDefault().options;

for (const kind of INIT_KINDS) {
  test(`init ${kind} writes a commented profile that is valid once its variables are set`, async (t) => {
    const result = await gateproof(['init', kind, '--out', '-']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^# /);
    // Every secret is a ${NAME}.
    assert.doesNotMatch(result.stdout, /(secret|valid|accessKeyId|allow): (?!\$\{)(?!builtin)\S/i);
    const declared = /^kind: (\S+)/m.exec(result.stdout)?.[1] ?? 'url';
    if (!knownKinds.includes(declared)) return t.skip(`kind ${declared} is not in this build's schema`);
    const profile = parseProfile(result.stdout, `${kind}.yaml`, anyEnv);
    assert.ok(profile.features.length > 0);
  });
}

test('init writes a file and never overwrites one unless told', async () => {
  const file = join(dir, 'mine.yaml');
  assert.equal((await gateproof(['init', 'aws-rest', '--out', file])).code, 0);
  assert.match(readFileSync(file, 'utf8'), /kind: url/);
  const again = await gateproof(['init', 'url', '--out', file]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /mine\.yaml exists; --force overwrites it/);
  assert.equal((await gateproof(['init', 'url', '--out', file, '--force'])).code, 0);
  assert.equal((await gateproof(['init', 'kong'])).code, 2);
});

test('doctor passes a profile that fits the live gateway and names each problem of one that does not', async () => {
  const env = { GATEPROOF_PROBE_SECRET: 'doctor-test-secret' };
  const [port, issuerPort] = [await freePort(), await freePort()];
  const probe = await startService(
    ['probe', '--port', String(port), '--issuer-port', String(issuerPort)],
    /serving until Ctrl-C/,
    { env },
  );
  services.push(probe);
  const serve = await startService(
    ['serve', '--probe', `http://127.0.0.1:${port}`, '--issuer', `http://127.0.0.1:${issuerPort}`],
    /serving until Ctrl-C/,
    { env },
  );
  services.push(serve);
  const good = parse(/\n---\n([\s\S]*?)\n\.\.\.\n/.exec(serve.stdout())![1]!) as Record<string, unknown> & {
    probe: Record<string, unknown>;
    apiKeys: Record<string, unknown>;
    jwt: Record<string, unknown> & { mint: Record<string, unknown> };
  };
  const write = (name: string, profile: Record<string, unknown>) => {
    const file = join(dir, name);
    writeFileSync(file, stringify(profile));
    return file;
  };

  const ok = await gateproof(['doctor', '--target', write('good.yaml', good)]);
  assert.equal(ok.code, 0, ok.stdout);
  assert.match(ok.stdout, /✓ gateway forwards \/open to the probe, which counted it/);
  assert.match(ok.stdout, /✓ a token of jwt\.issuer admitted on \/jwt/);

  const bad = await gateproof([
    'doctor',
    '--target',
    write('bad.yaml', {
      ...good,
      probe: { ...good.probe, secret: 'not-the-secret' },
      apiKeys: { ...good.apiKeys, valid: 'not-a-key-of-this-gateway' },
      jwt: { ...good.jwt, mint: { ...good.jwt.mint, secret: 'not-the-secret' } },
    }),
  ]);
  assert.equal(bad.code, 2, bad.stdout);
  const problems = bad.stdout.split('\n').filter((l) => l.startsWith('✗'));
  assert.deepEqual(
    problems.map((l) => l.replace(/ at http:\/\/[\d.]+:\d+/g, '')),
    [
      "✗ probe: counters refused: probe.secret is missing or not the probe's secret",
      '✗ apiKeys.valid refused: /keyed answered 403',
      '✗ jwt.mint: the issuer refused jwt.mint.secret',
    ],
  );
  assert.doesNotMatch(bad.stdout, /not-the-secret|not-a-key/, 'no secret is printed');

  // A probe the gateway does not forward to: the counts say so.
  const other = await startService(['probe'], /serving until Ctrl-C/);
  services.push(other);
  const otherUrl = /^probe {3}(\S+)/m.exec(other.stdout())![1]!;
  const elsewhere = await gateproof([
    'doctor',
    '--target',
    write('elsewhere.yaml', { ...good, probe: { url: otherUrl } }),
  ]);
  assert.equal(elsewhere.code, 2, elsewhere.stdout);
  assert.match(elsewhere.stdout, /✗ gateway: a request to \/open reached the probe 0 times, not once/);
});
