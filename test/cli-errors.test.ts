import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gateproof } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'gp-cli-'));
const servers: Server[] = [];
after(() => {
  for (const s of servers) s.close();
});

function profileAt(baseUrl: string): string {
  const file = join(dir, `p-${servers.length}-${Date.now()}.yaml`);
  writeFileSync(file, `name: broken\nbaseUrl: ${baseUrl}\nfeatures: [apikey]\n`);
  return file;
}

/** A TCP server that misbehaves in one way: hang, reset, or answer garbage. */
async function misbehaving(onConnection: (socket: import('node:net').Socket) => void): Promise<string> {
  const server = createServer(onConnection);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return `http://127.0.0.1:${port}`;
}

function assertOneLineUsageError(result: { code: number | null; stderr: string }, pattern: RegExp): void {
  assert.equal(result.code, 2, result.stderr);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line expected:\n${result.stderr}`);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
}

test('a malformed profile exits 2 with one line naming the field', async () => {
  const file = join(dir, 'bad.yaml');
  writeFileSync(file, 'name: bad\nbaseUrl: not a url\n');
  const result = await gateproof(['run', '--target', file, '--no-load', '--out', join(dir, 'o1')]);
  assertOneLineUsageError(result, /bad\.yaml:2: baseUrl: /);
});

test('a base URL where nothing listens exits 2 within 10 s', async () => {
  const url = await misbehaving(() => {});
  servers.at(-1)!.close();
  const result = await gateproof(['run', '--target', profileAt(url), '--no-load', '--out', join(dir, 'o2')]);
  assertOneLineUsageError(result, /gateway unreachable at http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
  assert.ok(result.ms < 10_000, `took ${result.ms} ms`);
});

test('a gateway that hangs exits 2 within 10 s', async () => {
  const url = await misbehaving(() => {});
  const result = await gateproof(['run', '--target', profileAt(url), '--no-load', '--out', join(dir, 'o3')]);
  assertOneLineUsageError(result, /gateway unreachable at .*: no answer within 5 s/);
  assert.ok(result.ms < 10_000, `took ${result.ms} ms`);
});

test('a gateway that resets the connection exits 2', async () => {
  const url = await misbehaving((socket) => socket.resetAndDestroy());
  const result = await gateproof(['run', '--target', profileAt(url), '--no-load', '--out', join(dir, 'o4')]);
  assertOneLineUsageError(result, /gateway unreachable at .*: (ECONNRESET|UND_ERR_SOCKET)/);
});

test('a gateway that answers garbage exits 2', async () => {
  const url = await misbehaving((socket) => socket.end('SSH-2.0-OpenSSH_9.2\r\n\r\n'));
  const result = await gateproof(['run', '--target', profileAt(url), '--no-load', '--out', join(dir, 'o5')]);
  assertOneLineUsageError(result, /gateway unreachable at .*: /);
});

test('an unknown fault, suite or option is bad usage', async () => {
  assertOneLineUsageError(
    await gateproof(['run', '--fault', 'no-such-fault', '--out', join(dir, 'o6')]),
    /unknown fault "no-such-fault"; known faults: /,
  );
  assertOneLineUsageError(
    await gateproof(['run', '--suites', 'nope', '--out', join(dir, 'o7')]),
    /unknown suite nope; known suites: /,
  );
  assertOneLineUsageError(await gateproof(['run', '--bogus']), /unknown option '--bogus'/);
  for (const seconds of ['0', '-1', 'soon']) {
    assertOneLineUsageError(
      await gateproof(['run', '--scenario-seconds', seconds]),
      /--scenario-seconds.*expected a number of seconds above 0/,
    );
  }
});

test('gateproof faults lists at least 6 faults, one per line', async () => {
  const result = await gateproof(['faults']);
  assert.equal(result.code, 0);
  const names = result.stdout.trim().split('\n');
  assert.ok(names.length >= 6, names.join(','));
  for (const name of names) assert.match(name, /^[a-z0-9-]+$/);
});
