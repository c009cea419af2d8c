import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { REPO } from './helpers/cli.js';

/**
 * The package as a user gets it: `npm pack`, installed into a scratch project outside the
 * repository, a check written there with `gateproof/fixtures` and run with `gateproof run
 * --suites`. Installed offline from npm's cache, which `npm ci` filled: the scratch project's
 * lockfile is the repository's own (production entries), plus the packed tarball.
 */

const scratch = mkdtempSync(join(tmpdir(), 'gp-packed-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

interface LockEntry {
  dev?: boolean;
  [field: string]: unknown;
}

before(() => {
  const packed = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', scratch], {
    cwd: REPO,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tarball = (JSON.parse(packed) as { filename: string }[])[0]!.filename;
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as Record<string, unknown>;
  const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const dependency = `file:${tarball}`;
  const packages: Record<string, unknown> = {
    '': { name: 'scratch', dependencies: { gateproof: dependency } },
    'node_modules/gateproof': {
      version: pkg.version,
      resolved: dependency,
      integrity: `sha512-${createHash('sha512')
        .update(readFileSync(join(scratch, tarball)))
        .digest('base64')}`,
      dependencies: pkg.dependencies,
      bin: pkg.bin,
      engines: pkg.engines,
    },
  };
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path.startsWith('node_modules/') && !entry.dev) packages[path] = entry;
  }
  const manifest = {
    name: 'scratch',
    private: true,
    type: 'module',
    dependencies: { gateproof: dependency },
  };
  writeFileSync(join(scratch, 'package.json'), JSON.stringify(manifest));
  writeFileSync(
    join(scratch, 'package-lock.json'),
    JSON.stringify({ name: 'scratch', lockfileVersion: 3, requires: true, packages }),
  );
  execFileSync('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd: scratch,
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 300_000,
  });
});

const check = (id: string, expected: number) => `import { expect, gateCase } from 'gateproof/fixtures';

gateCase(
  { id: '${id}', title: 'a disabled key answers ${expected}', level: 'core', features: ['apikey'] },
  async ({ client, keys, probe, nonce }) => {
    const res = await client.get('/keyed', { query: { gpn: nonce }, headers: { 'x-api-key': keys.disabled } });
    expect(res.status).toBe(${expected});
    expect(await probe.reached(nonce)).toBe(${expected === 200 ? 1 : 0});
  },
);
`;

function run(args: string[]): { code: number; stdout: string } {
  try {
    const stdout = execFileSync(join(scratch, 'node_modules/.bin/gateproof'), args, {
      cwd: scratch,
      encoding: 'utf8',
      env: { ...process.env, CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 300_000,
    });
    return { code: 0, stdout };
  } catch (err) {
    const failed = err as { status: number; stdout: string; stderr: string };
    return { code: failed.status, stdout: `${failed.stdout}${failed.stderr}` };
  }
}

test('a check written with gateproof/fixtures runs from outside the package', () => {
  writeFileSync(join(scratch, 'mine.spec.ts'), check('mine.keys.disabled', 403));
  const result = run(['run', '--suites', './mine.spec.ts', '--no-load', '--out', 'out-file']);
  assert.equal(result.code, 0, result.stdout);
  const results = JSON.parse(readFileSync(join(scratch, 'out-file/results.json'), 'utf8')) as {
    cases: { id: string; suite: string; status: string }[];
  };
  assert.deepEqual(
    results.cases.map((c) => [c.id, c.suite, c.status]),
    [['mine.keys.disabled', 'mine', 'pass']],
  );
  for (const report of ['index.html', 'junit.xml']) {
    assert.match(readFileSync(join(scratch, 'out-file', report), 'utf8'), /mine\.keys\.disabled/);
  }
});

test('a folder of checks runs beside a built-in suite, and a broken promise fails the run', () => {
  mkdirSync(join(scratch, 'checks/nested'), { recursive: true });
  writeFileSync(join(scratch, 'checks/nested/wrong.spec.ts'), check('mine.keys.wrong', 200));
  const result = run(['run', '--suites', 'apikey,checks', '--no-load', '--out', 'out-folder']);
  assert.equal(result.code, 1, result.stdout);
  const results = JSON.parse(readFileSync(join(scratch, 'out-folder/results.json'), 'utf8')) as {
    cases: { id: string; status: string }[];
  };
  assert.equal(results.cases.find((c) => c.id === 'mine.keys.wrong')?.status, 'fail');
  const builtin = results.cases.filter((c) => c.id.startsWith('apikey.'));
  assert.ok(
    builtin.length > 5 && builtin.every((c) => c.status === 'pass'),
    'the built-in suite ran beside it',
  );
});
