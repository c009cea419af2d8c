import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { chromium } from '@playwright/test';

/** The variable a user sets to choose the browser the CORS cases run in. */
export const BROWSER_ENV = 'GATEPROOF_BROWSER';

/** System Chromium by the names distributions give it, looked up on PATH. */
const SYSTEM_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

/**
 * Flags for a browser that runs as a tool, not as a user's: no sandbox (CI containers run as
 * root), no GPU, and nothing that calls home or updates itself during a run.
 */
export const BROWSER_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export type BrowserLookup = { path: string } | { reason: string };

/**
 * The Chromium to drive: `GATEPROOF_BROWSER` when set (and then only it), else a system Chromium
 * on PATH, else one Playwright installed earlier. Never a download: a run must not fetch a browser.
 */
export function findBrowser(env: NodeJS.ProcessEnv = process.env): BrowserLookup {
  const chosen = env[BROWSER_ENV];
  if (chosen) {
    return isExecutable(chosen)
      ? { path: chosen }
      : { reason: `${BROWSER_ENV}=${chosen} is not an executable file` };
  }
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const name of SYSTEM_NAMES) {
      const path = join(dir, name);
      if (isExecutable(path)) return { path };
    }
  }
  // Debian's wrapper, and the binary behind it, for a PATH without /usr/bin.
  for (const path of ['/usr/bin/chromium', '/usr/lib/chromium/chromium']) {
    if (isExecutable(path)) return { path };
  }
  const bundled = chromium.executablePath();
  if (isExecutable(bundled)) return { path: bundled };
  return {
    reason: `no Chromium found: set ${BROWSER_ENV}, install the system package (apt-get install chromium), or a Playwright browser`,
  };
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
