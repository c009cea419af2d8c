import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Private directories of a run (mode 0700), named with the owning process id, so the next run can
 * remove what a run killed without a chance to clean up (SIGKILL, a crash) left behind: an
 * nginx prefix may hold cached answers that echo keys. A stale prefix's nginx, orphaned by the
 * same kill, is stopped first (it is found by its own pid file, and only if it runs from there).
 */
const PREFIX = 'gateproof-';
const OWNED = /^gateproof-[a-z]+-(\d+)-[A-Za-z0-9]{6}$/;

export function makePrivateDir(kind: string): string {
  sweepStalePrivateDirs();
  return mkdtempSync(join(tmpdir(), `${PREFIX}${kind}-${process.pid}-`));
}

export function sweepStalePrivateDirs(root: string = tmpdir()): void {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return;
  }
  for (const name of names) {
    const owner = OWNED.exec(name)?.[1];
    if (!owner || alive(Number(owner))) continue;
    const dir = join(root, name);
    stopOrphanedNginx(dir);
    rmSync(dir, { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function stopOrphanedNginx(dir: string): void {
  try {
    const pid = Number(readFileSync(join(dir, 'nginx.pid'), 'utf8').trim());
    const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    // nginx was started as the leader of its own process group: the group holds its workers.
    if (pid > 1 && commandLine.includes(dir)) process.kill(-pid, 'SIGKILL');
  } catch {
    // No pid file, no such process, or not ours: nothing to stop.
  }
}
