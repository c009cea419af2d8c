import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type CliResult, gateproof, REPO } from './helpers/cli.js';

/** Every mistake a user makes on the command line is one line and exit code 2. */

const dir = mkdtempSync(join(tmpdir(), 'gp-usage-'));
const BIN = fileURLToPath(new URL('../../bin/gateproof.js', import.meta.url));

function oneLine(result: CliResult, pattern: RegExp): void {
  assert.equal(result.code, 2, result.stderr);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line expected:\n${result.stderr}`);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(result.stderr, /internal error|\n\s+at /);
}

test('--out naming a file, or a path under one, is refused before anything runs', async () => {
  const file = join(dir, 'a-file');
  writeFileSync(file, '');
  oneLine(await gateproof(['run', '--out', file, '--no-load']), /a-file is a file, not a folder/);
  oneLine(
    await gateproof(['load', '--scenario', 'x', '--out', join(file, 'sub')]),
    /a-file is a file, not a folder/,
  );
  oneLine(await gateproof(['compare', dir, '--out', file]), /a-file is a file, not a folder/);
  oneLine(await gateproof(['k6', 'export', '--out', file]), /a-file is a file, not a folder/);
});

test('a reader that stops early ends gateproof quietly', () => {
  const result = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" faults | head -1`], {
    cwd: REPO,
    encoding: 'utf8',
  });
  assert.equal(result.stderr, '');
  assert.equal(result.stdout.split('\n').filter(Boolean).length, 1);
});

test('a profile with several unset variables names them all in one line', async () => {
  const file = join(dir, 'unset.yaml');
  writeFileSync(
    file,
    'name: t\nbaseUrl: ${GP_T_URL}\napiKeys:\n  valid: ${GP_T_KEY}\n  other: ${GP_T_OTHER}\n',
  );
  oneLine(
    await gateproof(['run', '--target', file, '--no-load', '--out', join(dir, 'o1')]),
    /unset\.yaml:2: environment variables not set: GP_T_URL \(line 2\), GP_T_KEY \(line 4\), GP_T_OTHER \(line 5\)$/,
  );
});

test('a misspelt key is reported at its own line with the nearest valid key', async () => {
  const file = join(dir, 'misspelt.yaml');
  writeFileSync(file, 'name: t\nfeatures: [apikey]\nbaseURL: http://127.0.0.1:1\n');
  oneLine(
    await gateproof(['run', '--target', file, '--no-load', '--out', join(dir, 'o2')]),
    /misspelt\.yaml:3: baseURL: unknown key; did you mean baseUrl\?$/,
  );
});

test('--suites naming a path that holds no spec is bad usage', async () => {
  oneLine(
    await gateproof(['run', '--suites', './no-such.spec.ts', '--no-load', '--out', join(dir, 'o3')]),
    /--suites \.\/no-such\.spec\.ts: no such file or folder/,
  );
  const empty = join(dir, 'empty-checks');
  mkdirSync(empty);
  oneLine(
    await gateproof(['run', '--suites', empty, '--no-load', '--out', join(dir, 'o4')]),
    /holds no \*\.spec\.ts or \*\.spec\.js file/,
  );
});
