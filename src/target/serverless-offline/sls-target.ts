import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { UsageError } from '../../usage-error.js';
import { type ChildGateway, ChildGatewayStartError, startChildGateway } from '../child-gateway.js';
import { freePort, LOOPBACK, listenPort } from '../loopback-port.js';
import type { Profile } from '../profile-schema.js';
import { startTargetSupport } from '../target-support.js';
import { renderSlsService } from './sls-config.js';
import { findServerless, type SlsInstall } from './sls-install.js';
import { defaultSlsProfile, resolveSlsProfile } from './sls-profile.js';

const PORT_ATTEMPTS = 3;
/** serverless loads its framework, the AWS SDK and the plugin before it listens: seconds, not milliseconds. */
const READY_TIMEOUT_MS = 60_000;
const GATEWAY = 'a serverless-offline target';

/**
 * No telemetry, no notifications, no update checks, no interactive set-up: serverless 3 runs
 * offline and phones nobody.
 */
const QUIET_ENV = {
  SLS_TELEMETRY_DISABLED: '1',
  SLS_TRACKING_DISABLED: '1',
  SLS_NOTIFICATIONS_MODE: 'off',
  SLS_DISABLE_AUTO_UPDATE: '1',
  SLS_DEPRECATION_DISABLE: '*',
  SLS_INTERACTIVE_SETUP_DISABLE: '1',
};

export interface SlsTarget {
  profile: Profile;
  /** The service directory holding serverless.yml and the handlers; removed on close. */
  serviceDir: string;
  pid: number;
  close(): Promise<void>;
}

export interface SlsTargetOptions {
  /** A profile of kind serverless-offline; `--target serverless-offline` uses the defaults. */
  profile?: Profile;
}

/**
 * serverless-offline as a real gateway: a probe, then `serverless offline start` on free loopback
 * ports with a serverless.yml and handlers written from the profile into a private directory.
 * Fresh keys every start (unless the profile names keys).
 */
export async function startSlsTarget(options: SlsTargetOptions = {}): Promise<SlsTarget> {
  const install = findServerless();
  const base = options.profile ?? defaultSlsProfile();
  const fixedPort = listenPort(base.baseUrl, GATEWAY);
  const wantsJwt = base.features.length === 0 || base.features.includes('jwt');
  const support = await startTargetSupport({
    profile: base,
    gateway: GATEWAY,
    dirPrefix: 'gateproof-sls-',
    ...(wantsJwt ? { issuer: base.jwt ?? defaultSlsProfile().jwt! } : {}),
  });
  const { probe, dir: serviceDir } = support;
  try {
    const facts = {
      probeUrl: probe.url,
      version: install.version,
      ...(support.pages ? { pages: support.pages } : {}),
      ...(support.jwt ? { jwt: support.jwt } : {}),
    };
    for (let attempt = 1; ; attempt++) {
      const ports = {
        http: fixedPort ?? (await freePort()),
        lambda: await freePort(),
        websocket: await freePort(),
      };
      const profile = resolveSlsProfile(base, { ...facts, baseUrl: `http://${LOOPBACK}:${ports.http}` });
      try {
        const sls = await launch(install, serviceDir, base.stage || 'test', probe.url, profile, ports);
        return {
          profile,
          serviceDir,
          pid: sls.pid,
          close: async () => {
            await sls.stop();
            await support.close();
          },
        };
      } catch (err) {
        if (!(err instanceof ChildGatewayStartError)) throw err;
        const portTaken = /EADDRINUSE/.test(err.output);
        if (!portTaken || fixedPort || attempt >= PORT_ATTEMPTS) {
          throw new UsageError(`serverless-offline did not start (${err.reason})${complaint(err.output)}`);
        }
      }
    }
  } catch (err) {
    await support.close();
    throw err;
  }
}

function launch(
  install: SlsInstall,
  serviceDir: string,
  stage: string,
  probeUrl: string,
  profile: Profile,
  ports: { http: number; lambda: number; websocket: number },
): Promise<ChildGateway> {
  const callsDir = join(serviceDir, 'calls');
  rmSync(callsDir, { recursive: true, force: true });
  mkdirSync(callsDir);
  const service = renderSlsService({
    profile,
    stage,
    probeUrl,
    callsDir,
    modulesUrl: new URL('.', import.meta.url).href.replace(/\/$/, ''),
    pluginsDir: install.pluginsDir,
    ports,
  });
  // serverless.yml holds the API keys.
  writeFileSync(join(serviceDir, 'serverless.yml'), service.config, { mode: 0o600 });
  for (const [file, text] of Object.entries(service.handlers)) {
    writeFileSync(join(serviceDir, file), text, { mode: 0o600 });
  }
  return startChildGateway({
    command: process.execPath,
    args: [install.cli, 'offline', 'start'],
    cwd: serviceDir,
    env: { ...process.env, ...QUIET_ENV },
    // Any answer will do, and this path is no function's: asking it invokes nothing.
    readyUrl: `http://${LOOPBACK}:${ports.http}/__gateproof-ready`,
    readyTimeoutMs: READY_TIMEOUT_MS,
  });
}

/** The line of serverless's output that says what went wrong, when there is one. */
function complaint(output: string): string {
  const lines = output
    .split('\n')
    // Without serverless's decorations (colours, ✖, ×).
    .map((l) =>
      stripVTControlCharacters(l)
        .replace(/^[^\w{]+/, '')
        .trim(),
    )
    .filter(Boolean);
  const line = lines.find((l) => /error|EADDRINUSE|cannot|not found/i.test(l)) ?? lines.at(-1);
  return line ? `: ${line.slice(0, 300)}` : '';
}
