import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Results } from '../src/results/model.js';
import { startHostileGateway } from './helpers/hostile-gateways.js';
import { watchedRun } from './helpers/watched-run.js';

const dir = mkdtempSync(join(tmpdir(), 'gp-hostile-secrets-'));
const SECRETS = { GP_PW: 'pw-Rt6Yu8Io0Pa2', GP_KEY: 'key-Df3Gh5Jk7Lz9' };

function profile(name: string, baseUrl: string, extra = ''): string {
  const file = join(dir, `${name}.yaml`);
  const { host } = new URL(baseUrl);
  writeFileSync(
    file,
    `name: ${name}\nbaseUrl: http://gp:\${GP_PW}@${host}\ntimeoutMs: 1000\nfeatures: [apikey]\n` +
      `apiKeys:\n  valid: \${GP_KEY}\n${extra}`,
  );
  return file;
}

function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() || e.isSocket())
    .map((e) => join(e.parentPath, e.name));
}

function holdingSecrets(files: string[]): string[] {
  return files.filter((file) => {
    try {
      const text = readFileSync(file, 'utf8');
      return Object.values(SECRETS).some((s) => text.includes(s));
    } catch {
      return false;
    }
  });
}

test('a run killed with SIGKILL leaves no file holding a secret, and the next start removes its leftovers', async () => {
  const gateway = await startHostileGateway('hang-after-first');
  const out = join(dir, 'killed');
  let killed = false;
  let killedPid = 0;
  try {
    const run = await watchedRun(
      ['run', '--target', profile('killed', gateway.url), '--no-load', '--suites', 'apikey', '--out', out],
      {
        env: SECRETS,
        onStdout: (text, pid) => {
          // Mid-run, while the workers hold the resolved profile: gateproof first, then its whole group.
          if (killed || !/gateproof: \d+ cases/.test(text)) return;
          killed = true;
          killedPid = pid;
          process.kill(pid, 'SIGKILL');
          setTimeout(() => {
            try {
              process.kill(-pid, 'SIGKILL');
            } catch {}
          }, 1000);
        },
      },
    );
    assert.ok(killed, `the run reached its cases:\n${run.stdout}${run.stderr}`);
    assert.equal(run.code, null, 'killed');
    const mine = (name: string) => name.startsWith(`gateproof-run-${killedPid}-`);
    const left = readdirSync(tmpdir()).filter(mine);
    assert.equal(left.length, 1, 'the killed run could not remove its private directory');
    const leftover = filesUnder(join(tmpdir(), left[0]!));
    assert.deepEqual(holdingSecrets([...leftover, ...filesUnder(out)]), [], 'no file holds a secret');

    // The next start (here one refused at the door) removes what the killed run left behind.
    const next = await watchedRun(['run', '--target', join(dir, 'nope.yaml'), '--no-load']);
    assert.equal(next.code, 2);
    assert.deepEqual(readdirSync(tmpdir()).filter(mine), [], "the dead run's private directory is gone");
  } finally {
    await gateway.close();
  }
});

test("a probe that answers outside its protocol is harness_fail, never the gateway's fail", async () => {
  const gateway = await startHostileGateway('script');
  const probe = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<html>not the probe</html>');
  });
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  const out = join(dir, 'probe');
  try {
    const run = await watchedRun(
      [
        'run',
        '--target',
        profile('probe', gateway.url, `probe:\n  url: http://127.0.0.1:${port}\n`),
        '--no-load',
        '--suites',
        'apikey',
        '--out',
        out,
      ],
      { env: SECRETS },
    );
    assert.ok(run.code === 1 || run.code === 0 || run.code === 3, run.stderr);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    const blamed = results.cases.filter((c) => /probe/.test(c.message ?? ''));
    assert.ok(blamed.length > 0, 'some case read the probe');
    for (const c of blamed) assert.equal(c.status, 'harness_fail', `${c.id}: ${c.message}`);
    const console = `${run.stdout}${run.stderr}`;
    for (const secret of Object.values(SECRETS))
      assert.ok(!console.includes(secret), 'no secret on the console');
  } finally {
    await gateway.close();
    probe.close();
  }
});
