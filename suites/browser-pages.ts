import { performance } from 'node:perf_hooks';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { MAX_READ_BYTES } from '../src/contract/bounded-exchange.js';
import { type PageOrigin, servesGateproofPage, startPageOrigin } from '../src/probe/page-origin.js';
import type { Evidence } from '../src/results/model.js';
import { BROWSER_ARGS, findBrowser } from '../src/run/browser-executable.js';
import { SetupFailure } from '../src/run/case-meta.js';

/**
 * A real browser judging real cross-origin requests: a page is loaded from one of gateproof's
 * loopback origins and calls the gateway with `fetch`. Whether the page may read the answer is
 * the browser's verdict, not ours, and the console line it writes is the evidence.
 */

export interface BrowserFetchInit {
  method?: string;
  headers?: Record<string, string>;
  credentials?: 'omit' | 'same-origin' | 'include';
}

export interface BrowserFetch {
  /** `allowed`: the page could read the response; `blocked`: fetch failed and the browser said why. */
  verdict: 'allowed' | 'blocked';
  status?: number;
  /** The response headers the page may read (CORS hides the rest). */
  headers: Record<string, string>;
  body?: string;
  /** The page's error, when blocked. */
  error?: string;
  /** The browser's console lines written during this fetch. */
  console: string[];
}

/** Launches Chromium on first use and serves page origins on demand; one per Playwright worker. */
export class BrowserHost {
  private browser: Promise<Browser> | undefined;
  private readonly served = new Map<string, Promise<PageOrigin | undefined>>();

  constructor(private readonly launch: (executablePath: string, args: string[]) => Promise<Browser>) {}

  get(): Promise<Browser> {
    this.browser ??= (async () => {
      const found = findBrowser();
      if ('reason' in found) throw new SetupFailure(found.reason);
      try {
        return await this.launch(found.path, BROWSER_ARGS);
      } catch (err) {
        const line = (err as Error).message.split('\n').find((l) => l.trim()) ?? String(err);
        throw new SetupFailure(`Chromium at ${found.path} did not start: ${line}`);
      }
    })();
    return this.browser;
  }

  /** Serves gateproof's page at `origin` unless something there already does (the stack, another run). */
  async serve(origin: string): Promise<void> {
    let serving = this.served.get(origin);
    if (!serving) {
      serving = (async () => {
        if (await servesGateproofPage(origin)) return undefined;
        const { hostname, port } = new URL(origin);
        try {
          return await startPageOrigin({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port) });
        } catch (err) {
          throw new SetupFailure(`cannot serve the browser page at ${origin}: ${(err as Error).message}`);
        }
      })();
      this.served.set(origin, serving);
    }
    await serving;
  }

  async close(): Promise<void> {
    const browser = await this.browser?.catch(() => undefined);
    await browser?.close();
    for (const serving of this.served.values()) await (await serving.catch(() => undefined))?.close();
  }
}

/** The pages one case opened; closed when the case ends. */
export class BrowserPages {
  private readonly contexts: BrowserContext[] = [];

  constructor(
    private readonly host: BrowserHost,
    private readonly record: (evidence: Evidence) => void,
    private readonly timeoutMs: number,
  ) {}

  /** A fresh page (its own context: no cookies or preflight cache shared with other cases) on `origin`. */
  async open(origin: string): Promise<GatePage> {
    await this.host.serve(origin);
    const browser = await this.host.get();
    const context = await browser.newContext();
    this.contexts.push(context);
    const page = await context.newPage();
    const lines: string[] = [];
    page.on('console', (message) => lines.push(`${message.type()}: ${message.text()}`));
    await page.goto(`${origin}/`, { timeout: this.timeoutMs });
    return new GatePage(page, origin, lines, this.record, this.timeoutMs);
  }

  async close(): Promise<void> {
    await Promise.all(this.contexts.map((c) => c.close().catch(() => undefined)));
  }
}

export class GatePage {
  constructor(
    private readonly page: Page,
    readonly origin: string,
    private readonly lines: string[],
    private readonly record: (evidence: Evidence) => void,
    private readonly timeoutMs: number,
  ) {}

  /** `fetch(url, init)` in the page; a timeout is the harness's problem, never a "blocked". */
  async fetch(url: string, init: BrowserFetchInit = {}): Promise<BrowserFetch> {
    const first = this.lines.length;
    const started = performance.now();
    const outcome = await this.page.evaluate(
      async ({ url, init, timeoutMs, keep, cap }) => {
        try {
          // The deadline covers the body too: fetch's signal aborts a body still being read.
          const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
          const headers: Record<string, string> = {};
          res.headers.forEach((value, name) => {
            headers[name] = value;
          });
          // Only the first bytes cross back to gateproof, and reading stops at the cap: a gateway's
          // body of any size costs neither process its size in memory.
          const reader = res.body?.getReader();
          const kept: number[] = [];
          let bytes = 0;
          for (let part = await reader?.read(); part && !part.done; part = await reader?.read()) {
            bytes += part.value.length;
            for (const byte of part.value.subarray(0, Math.max(0, keep - kept.length))) kept.push(byte);
            if (bytes >= cap) {
              await reader?.cancel();
              break;
            }
          }
          const body = new TextDecoder().decode(new Uint8Array(kept));
          const redirected = res.redirected ? res.url : undefined;
          return { verdict: 'allowed' as const, status: res.status, headers, body, bytes, redirected };
        } catch (err) {
          const e = err as Error;
          return { verdict: 'blocked' as const, headers: {}, error: `${e.name}: ${e.message}` };
        }
      },
      { url, init, timeoutMs: this.timeoutMs, keep: 4096, cap: MAX_READ_BYTES },
    );
    if (outcome.error && /^(TimeoutError|AbortError)/.test(outcome.error)) {
      throw new Error(`the gateway did not answer the page within ${this.timeoutMs} ms: ${url}`);
    }
    if (outcome.verdict === 'blocked') await this.awaitConsole(first);
    const { bytes, redirected, ...seen } = outcome as typeof outcome & {
      bytes?: number;
      redirected?: string;
    };
    const result: BrowserFetch = { ...seen, console: this.lines.slice(first) };
    this.record({
      request: { method: init.method ?? 'GET', url, headers: init.headers ?? {} },
      ...(result.status === undefined
        ? { error: result.error ?? 'blocked' }
        : {
            response: {
              status: result.status,
              headers: result.headers,
              ...(result.body === undefined ? {} : { body: result.body }),
              ...(bytes === undefined ? {} : { bodyBytes: bytes }),
              durationMs: Math.round((performance.now() - started) * 100) / 100,
            },
          }),
      note: [
        `browser (page on ${this.origin}, credentials ${init.credentials ?? 'same-origin'}): ${result.verdict}`,
        // The browser follows redirects as it would for any page; the evidence says so.
        ...(redirected ? [`after a redirect to ${redirected}`] : []),
        ...result.console,
      ].join('\n'),
    });
    return result;
  }

  /** The browser logs why it blocked a fetch a moment after the promise rejects. */
  private async awaitConsole(first: number): Promise<void> {
    const deadline = Date.now() + 2_000;
    while (Date.now() < deadline && !this.lines.slice(first).some((l) => /CORS/i.test(l))) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
