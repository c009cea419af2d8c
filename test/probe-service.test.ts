import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { request } from 'undici';
import { parse, stringify } from 'yaml';
import { gateproof } from './helpers/cli.js';
import { freePort, type Service, startService } from './helpers/cli-service.js';

const dir = mkdtempSync(join(tmpdir(), 'gp-probe-service-'));
const SECRET = 'probe-service-test-secret';
const env = { GATEPROOF_PROBE_SECRET: SECRET };
const services: Service[] = [];
after(async () => {
  for (const s of services) await s.stop();
});

test('gateproof probe serves the probe and the issuer, with the reference gateway in front as a url target', async () => {
  const [port, issuerPort] = [await freePort(), await freePort()];
  const probe = await startService(
    ['probe', '--host', '127.0.0.1', '--port', String(port), '--issuer-port', String(issuerPort)],
    /serving until Ctrl-C/,
    { env },
  );
  services.push(probe);
  const probeUrl = `http://127.0.0.1:${port}`;
  const issuerUrl = `http://127.0.0.1:${issuerPort}`;
  assert.match(probe.stdout(), new RegExp(`url: ${probeUrl}\\n  secret: \\$\\{GATEPROOF_PROBE_SECRET\\}`));
  assert.match(probe.stdout(), new RegExp(`issuer: ${issuerUrl}\\n`));
  assert.doesNotMatch(probe.stdout(), new RegExp(SECRET), 'a secret from the environment is never printed');

  // The control paths answer only the secret.
  const counters = (authorization?: string) =>
    request(`${probeUrl}/__probe/counters`, authorization ? { headers: { authorization } } : {});
  assert.equal((await counters()).statusCode, 401);
  assert.equal((await counters('Bearer wrong')).statusCode, 401);
  assert.equal((await counters(`Bearer ${SECRET}`)).statusCode, 200);
  const mint = await request(`${issuerUrl}/__gateproof/issuer/signers`);
  assert.equal(mint.statusCode, 401);
  const discovery = (await (await request(`${issuerUrl}/.well-known/openid-configuration`)).body.json()) as {
    issuer: string;
  };
  assert.equal(discovery.issuer, issuerUrl);

  const serve = await startService(
    ['serve', '--probe', probeUrl, '--issuer', issuerUrl],
    /serving until Ctrl-C/,
    {
      env,
    },
  );
  services.push(serve);
  // Everything a hand needs: routes, keys, a token, SigV4 credentials, and a word on the secrets.
  for (const line of [
    /^ {2}keyed +GET http:\S+\/test\/keyed/m,
    /^api key +\w{40}/m,
    /^jwt token +eyJ/m,
    /^sigv4 +region us-east-1, .*access key id AKIA\w{16}, secret \S+/m,
    /secrets of your own local reference/,
  ]) {
    assert.match(serve.stdout(), line);
  }
  const yaml = /\n---\n([\s\S]*?)\n\.\.\.\n/.exec(serve.stdout())?.[1];
  assert.ok(yaml, serve.stdout());
  assert.match(yaml, new RegExp(`probe:\\n  url: ${probeUrl}`));
  const file = join(dir, 'by-hand.yaml');
  // A gateway with one stage and no authorizer cache says so: those cases skip, with the reason.
  writeFileSync(file, stringify({ ...parse(yaml), unsupported: ['other-stages', 'authorizer-cache'] }));

  const out = join(dir, 'run');
  const run = await gateproof(
    ['run', '--target', file, '--suites', 'apikey,authorizer,jwt,cache', '--no-load', '--out', out],
    { timeoutMs: 300_000 },
  );
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as {
    target: { kind: string };
    cases: { id: string; status: string; message?: string }[];
  };
  assert.equal(results.target.kind, 'url');
  const declined = results.cases.filter((c) =>
    /^(apikey\.reject\.other-stage|authorizer\.cache\.)/.test(c.id),
  );
  assert.ok(declined.length >= 2);
  for (const c of declined) {
    assert.equal(c.status, 'skip', c.id);
    assert.match(c.message ?? '', /^declared unsupported \((other-stages|authorizer-cache)\): /);
  }
  assert.ok(results.cases.filter((c) => c.status === 'pass').length > 40, 'the suites ran through it');
  // The requests reached the external probe.
  const reached = (await (await counters(`Bearer ${SECRET}`)).body.json()) as { total: number };
  assert.ok(reached.total > 40, `probe counted ${reached.total}`);

  const stopped = await probe.stop();
  assert.equal(stopped.code, 0, stopped.stderr);
  assert.match(stopped.stdout, /stopped/);
});

test('probe and serve on a busy port are one line and exit 2', async () => {
  const port = await freePort();
  const first = await startService(['probe', '--port', String(port)], /serving until Ctrl-C/);
  services.push(first);
  for (const args of [
    ['probe', '--port', String(port)],
    ['serve', '--port', String(port)],
  ]) {
    const result = await gateproof(args);
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, new RegExp(`127\\.0\\.0\\.1:${port} is already in use`));
  }
});

test('a probe bound beyond loopback guards its counters with a printed secret', async () => {
  const port = await freePort();
  const probe = await startService(
    ['probe', '--host', '0.0.0.0', '--port', String(port)],
    /serving until Ctrl-C/,
    {
      env: { GATEPROOF_PROBE_SECRET: '' },
    },
  );
  services.push(probe);
  const secret = /^secret {2}(\S+)/m.exec(probe.stdout())?.[1];
  assert.ok(secret, probe.stdout());
  const res = await request(`http://127.0.0.1:${port}/__probe/counters`);
  assert.equal(res.statusCode, 401);
  await res.body.dump();
  const ok = await request(`http://127.0.0.1:${port}/__probe/counters`, {
    headers: { authorization: `Bearer ${secret}` },
  });
  assert.equal(ok.statusCode, 200);
  await ok.body.dump();
});
