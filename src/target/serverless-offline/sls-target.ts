import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { UsageError } from '../../usage-error.js';
import { type ChildGateway, ChildGatewayStartError, startChildGateway } from '../child-gateway.js';
import { freePort, LOOPBACK, listenPort } from '../loopback-port.js';
import type { Feature, Profile } from '../profile-schema.js';
import { startTargetSupport } from '../target-support.js';
import {
  renderSlsNoDefaultService,
  renderSlsService,
  type SlsConfigInput,
  type SlsService,
} from './sls-config.js';
import { findServerless, type SlsInstall } from './sls-install.js';
import { defaultSlsProfile, resolveSlsProfile, type SlsFacts } from './sls-profile.js';
import { WEBSOCKET_SUBDIRS } from './sls-websocket.js';

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
  const wants = (f: Feature) => base.features.length === 0 || base.features.includes(f);
  const wantsJwt = wants('jwt');
  // The API without `$default` is a second serverless-offline: started only when it is measured.
  const wantsWebSocket = wants('websocket');
  const support = await startTargetSupport({
    profile: base,
    gateway: GATEWAY,
    kind: 'sls',
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
      const ports = await freePorts(fixedPort);
      const noDefaultPorts = wantsWebSocket ? await freePorts() : undefined;
      const profile = resolveSlsProfile(base, {
        ...facts,
        baseUrl: `http://${LOOPBACK}:${ports.http}`,
        ...(noDefaultPorts ? { websocket: webSocketUrls(ports.websocket, noDefaultPorts.websocket) } : {}),
      });
      const service = { install, stage: base.stage || 'test', probeUrl: probe.url, profile };
      const started = await Promise.allSettled([
        launch(service, serviceDir, renderSlsService, ports, 'http'),
        ...(noDefaultPorts
          ? [
              launch(
                service,
                join(serviceDir, 'no-default'),
                renderSlsNoDefaultService,
                noDefaultPorts,
                'websocket',
              ),
            ]
          : []),
      ]);
      const running = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
      const failed = started.find((s) => s.status === 'rejected');
      if (!failed) {
        return {
          profile,
          serviceDir,
          pid: running[0]!.pid,
          close: async () => {
            await Promise.all(running.map((sls) => sls.stop()));
            await support.close();
          },
        };
      }
      await Promise.all(running.map((sls) => sls.stop()));
      const err: unknown = failed.reason;
      if (!(err instanceof ChildGatewayStartError)) throw err;
      const portTaken = /EADDRINUSE/.test(err.output);
      if (!portTaken || fixedPort || attempt >= PORT_ATTEMPTS) {
        throw new UsageError(`serverless-offline did not start (${err.reason})${complaint(err.output)}`);
      }
    }
  } catch (err) {
    await support.close();
    throw err;
  }
}

type Ports = { http: number; lambda: number; websocket: number };

async function freePorts(http?: number): Promise<Ports> {
  return { http: http ?? (await freePort()), lambda: await freePort(), websocket: await freePort() };
}

/** serverless-offline's WebSocket APIs: any path upgrades, and @connections is at the root. */
function webSocketUrls(port: number, noDefaultPort: number): SlsFacts['websocket'] {
  return {
    url: `ws://${LOOPBACK}:${port}`,
    noDefaultUrl: `ws://${LOOPBACK}:${noDefaultPort}`,
    connectionsUrl: `http://${LOOPBACK}:${port}/@connections`,
  };
}

interface SlsServiceInput {
  install: SlsInstall;
  stage: string;
  probeUrl: string;
  profile: Profile;
}

/** Writes one service into `dir` and starts it; it is up once `readyOn`'s port answers. */
function launch(
  input: SlsServiceInput,
  dir: string,
  render: (config: SlsConfigInput) => SlsService,
  ports: Ports,
  readyOn: keyof Ports,
): Promise<ChildGateway> {
  const callsDir = join(dir, 'calls');
  // Not `websocket`: that is the name of the routes' handler module, which serverless resolves by it.
  const websocketDir = join(dir, 'websocket-shared');
  for (const fresh of [callsDir, ...Object.values(WEBSOCKET_SUBDIRS).map((d) => join(websocketDir, d))]) {
    rmSync(fresh, { recursive: true, force: true });
    mkdirSync(fresh, { recursive: true });
  }
  const service = render({
    profile: input.profile,
    stage: input.stage,
    probeUrl: input.probeUrl,
    callsDir,
    websocketDir,
    modulesUrl: new URL('.', import.meta.url).href.replace(/\/$/, ''),
    pluginsDir: input.install.pluginsDir,
    ports,
  });
  // serverless.yml holds the API keys.
  writeFileSync(join(dir, 'serverless.yml'), service.config, { mode: 0o600 });
  for (const [file, text] of Object.entries(service.handlers)) {
    writeFileSync(join(dir, file), text, { mode: 0o600 });
  }
  return startChildGateway({
    command: process.execPath,
    args: [input.install.cli, 'offline', 'start'],
    cwd: dir,
    env: { ...process.env, ...QUIET_ENV },
    // Any answer will do, and this path is no function's: asking it invokes nothing.
    readyUrl: `http://${LOOPBACK}:${ports[readyOn]}/__gateproof-ready`,
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
