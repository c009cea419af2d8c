import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { Command } from 'commander';
import { MINT_API_PATH } from '../auth/issuer-mint-api.js';
import { DISCOVERY_PATH, type Issuer, JWKS_PATH, startIssuer } from '../auth/oidc-issuer.js';
import { PROBE_COUNTERS_PATH } from '../probe/protocol.js';
import { type Probe, startProbe } from '../probe/server.js';
import { explainListenError } from './listen-error.js';
import { port, untilStopped } from './options.js';

/** Where a probe's control secret comes from, so it can be fixed across restarts. */
export const PROBE_SECRET_ENV = 'GATEPROOF_PROBE_SECRET';
const AUDIENCE = 'gateproof';
const SCOPE = 'gateproof/read';

interface ProbeCommandOptions {
  host: string;
  port?: number;
  issuerPort?: number;
  publicHost?: string;
  audience: string;
}

export function probeCommand(): Command {
  return new Command('probe')
    .description('serve the probe and the built-in OIDC issuer for a gateway you deployed, until Ctrl-C')
    .option(
      '--host <address>',
      'address to listen on (beyond loopback, every control path needs the secret)',
      '127.0.0.1',
    )
    .option('--port <n>', 'probe port (default: a free one)', port)
    .option('--issuer-port <n>', 'issuer port (default: a free one)', port)
    .option('--public-host <name>', 'host name your gateway uses to reach this machine (default: --host)')
    .option('--audience <aud>', 'audience of the tokens the issuer mints', AUDIENCE)
    .action(async (opts: ProbeCommandOptions) => {
      const fromEnv = process.env[PROBE_SECRET_ENV];
      const secret = fromEnv || randomBytes(24).toString('base64url');
      // On loopback only this machine can read the counters; beyond it, strangers could.
      const guardCounters = !isLoopback(opts.host) || Boolean(fromEnv);
      const publicHost = opts.publicHost ?? (isWildcard(opts.host) ? hostname() : opts.host);
      let probe: Probe | undefined;
      let issuer: Issuer | undefined;
      try {
        probe = await startProbe({
          host: opts.host,
          ...(opts.port === undefined ? {} : { port: opts.port }),
          ...(guardCounters ? { controlSecret: secret } : {}),
        }).catch((err: unknown) => {
          throw explainListenError(err, 'probe', opts.host, opts.port);
        });
        const probeUrl = urlOf(publicHost, new URL(probe.url).port);
        issuer = await startIssuer({
          host: opts.host,
          ...(opts.issuerPort === undefined ? {} : { port: opts.issuerPort }),
          publicHost,
          audience: opts.audience,
          scope: SCOPE,
          mintSecret: secret,
        }).catch((err: unknown) => {
          throw explainListenError(err, 'issuer', opts.host, opts.issuerPort);
        });
        printStart(probeUrl, issuer.issuerUrl, opts.audience, secret, Boolean(fromEnv), guardCounters);
      } catch (err) {
        await probe?.close();
        throw err;
      }
      await untilStopped();
      await Promise.all([probe.close(), issuer.close()]);
      process.stdout.write('gateproof probe: stopped\n');
    });
}

function printStart(
  probeUrl: string,
  issuerUrl: string,
  audience: string,
  secret: string,
  secretFromEnv: boolean,
  guardCounters: boolean,
): void {
  const ref = `\${${PROBE_SECRET_ENV}}`;
  const lines = [
    `probe   ${probeUrl}   (point every integration here; counters at ${PROBE_COUNTERS_PATH}${guardCounters ? ', secret required' : ''})`,
    `issuer  ${issuerUrl}   (discovery ${DISCOVERY_PATH}, JWKS ${JWKS_PATH}, mint API ${MINT_API_PATH}/, secret required)`,
    secretFromEnv
      ? `secret  from ${PROBE_SECRET_ENV}`
      : `secret  ${secret}   (shown once: export ${PROBE_SECRET_ENV}=<it> for gateproof run, and to keep it across restarts)`,
    '',
    '# paste into your target profile:',
    'probe:',
    `  url: ${probeUrl}`,
    ...(guardCounters ? [`  secret: ${ref}`] : []),
    'jwt:',
    `  issuer: ${issuerUrl}`,
    `  audience: ${audience}`,
    `  scopes: [${SCOPE}]`,
    `  mint: { url: ${issuerUrl}, secret: ${ref} }`,
    '',
    'serving until Ctrl-C',
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

function urlOf(host: string, portNumber: string | number): string {
  return `http://${isIP(host) === 6 ? `[${host}]` : host}:${portNumber}`;
}
