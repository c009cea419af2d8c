import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';

/** Comma-separated list option: `--suites apikey,quota`. */
export function list(value: string): string[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!items.length) throw new InvalidArgumentError('expected a comma-separated list');
  return items;
}

/** A duration in seconds: a positive number, at most a day. */
export function positiveSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 86_400)
    throw new InvalidArgumentError('expected a number of seconds above 0 (at most 86400)');
  return n;
}

export function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port number');
  return n;
}

/** The command line as typed, for "how to reproduce this run". */
export function commandLine(): string {
  return ['gateproof', ...process.argv.slice(2)]
    .map((a) => (/^[\w./:=,@-]+$/.test(a) ? a : JSON.stringify(a)))
    .join(' ');
}

/** Ctrl-C stops the run, but what was measured is still written. A second Ctrl-C exits at once. */
export function interruptSignal(): AbortSignal {
  const controller = new AbortController();
  process.once('SIGINT', () => {
    process.stderr.write('gateproof: interrupted, writing what was measured (Ctrl-C again to quit)\n');
    controller.abort();
    process.once('SIGINT', () => process.exit(130));
  });
  process.once('SIGTERM', () => controller.abort());
  return controller.signal;
}

/** `--out DIR`: a folder, or a path where one can be made; never a file (nor under one). */
export function outDir(value: string): string {
  for (let path = resolve(value); ; path = dirname(path)) {
    let isDirectory: boolean | undefined;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch {}
    if (isDirectory === false) {
      throw new InvalidArgumentError(
        path === resolve(value) ? `${value} is a file, not a folder` : `${path} is a file, not a folder`,
      );
    }
    if (isDirectory || path === dirname(path)) return value;
  }
}

/** Resolves on the first SIGINT or SIGTERM: long-running commands stop cleanly on either. */
export function untilStopped(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}
