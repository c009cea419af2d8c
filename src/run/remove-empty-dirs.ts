import { type Dirent, readdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Removes the empty folders under `dir` (and `dir` itself when nothing is left): Playwright makes
 * an output folder per test whether or not the test writes anything into it.
 */
export function removeEmptyDirs(dir: string): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) if (entry.isDirectory()) removeEmptyDirs(join(dir, entry.name));
  if (readdirSync(dir).length === 0) rmdirSync(dir);
}
