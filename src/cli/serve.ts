import { Command } from 'commander';
import { stringify } from 'yaml';
import { connectIssuer } from '../auth/remote-issuer.js';
import { type ExternalUpstream, type ReferenceStack, startReferenceStack } from '../reference/stack.js';
import type { Profile } from '../target/profile-schema.js';
import { UsageError } from '../usage-error.js';
import { explainListenError } from './listen-error.js';
import { port, untilStopped } from './options.js';
import { PROBE_SECRET_ENV } from './probe.js';

interface ServeOptions {
  port?: number;
  fault?: string;
  probe?: string;
  issuer?: string;
}

/** What each route role asks of a caller, for trying the reference by hand. */
const ROUTE_NEEDS: Record<keyof Profile['routes'], string> = {
  open: 'nothing',
  keyed: 'x-api-key',
  quota: 'x-api-key of apiKeys.quota (5 calls a day each)',
  throttled: 'x-api-key; method throttle of plans.throttled',
  iam: 'SigV4 (execute-api)',
  jwt: 'Authorization: Bearer <token>',
  authorizer: 'Authorization: <authorizer token> (TOKEN authorizer)',
  authorizerRequest: 'Authorization: <authorizer token> and ?gpn= (REQUEST authorizer, cached)',
  cached: 'nothing; cached by ?id=',
  cachedShort: 'nothing; cached by ?id=, short TTL',
  cachedOff: 'nothing; caching on with TTL 0',
  cachedStrict: 'nothing; unauthorized invalidation gets 403',
  cachedSilent: 'nothing; unauthorized invalidation ignored',
  validated: 'POST an Order (JSON), ?q1= and header h1 (validator all)',
  validatedParams: '?q1= and header h1 (validator params-only)',
  validatedBody: 'POST an Order as JSON, or any text/plain (validator body-only)',
  transformed: 'POST JSON; ?from= and header x-gp-client are mapped (non-proxy, templates)',
  transformedXml: 'POST JSON; mapped to XML for the integration',
  passthroughMatch: 'POST any media type (WHEN_NO_MATCH)',
  passthroughTemplates: 'POST JSON; other media types get 415 (WHEN_NO_TEMPLATES)',
  passthroughNone: 'POST any media type (no templates)',
  slow: 'header x-gp-delay-ms; integration timeout 500 ms',
};

export function serveCommand(): Command {
  return new Command('serve')
    .description('start the reference gateway and the probe for manual use, until Ctrl-C')
    .option('--port <n>', 'gateway port (default: a free one)', port)
    .option('--fault <name>', 'break one promise on purpose')
    .option(
      '--probe <url>',
      `proxy to a probe started with \`gateproof probe\` (with --issuer; secret from ${PROBE_SECRET_ENV})`,
    )
    .option('--issuer <url>', 'trust the issuer started with `gateproof probe` (with --probe)')
    .action(async (opts: ServeOptions) => {
      const upstream = externalUpstream(opts);
      const stack = await startReferenceStack({
        ...(opts.port === undefined ? {} : { port: opts.port }),
        ...(opts.fault ? { fault: opts.fault } : {}),
        ...(upstream ? { upstream } : {}),
      }).catch((err: unknown) => {
        throw explainListenError(err, 'serve', '127.0.0.1', opts.port);
      });
      try {
        process.stdout.write(await byHand(stack));
      } catch (err) {
        await stack.close();
        throw err;
      }
      await untilStopped();
      await stack.close();
    });
}

function externalUpstream(opts: ServeOptions): ExternalUpstream | undefined {
  if (!opts.probe && !opts.issuer) return undefined;
  if (!opts.probe || !opts.issuer) throw new UsageError('--probe and --issuer go together');
  const secret = process.env[PROBE_SECRET_ENV];
  if (!secret) throw new UsageError(`--probe needs the probe's secret in ${PROBE_SECRET_ENV}`);
  for (const url of [opts.probe, opts.issuer]) {
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
      throw new UsageError(`${url} is not an http(s) URL`);
    }
  }
  return { probeUrl: opts.probe.replace(/\/+$/, ''), issuerUrl: opts.issuer, secret };
}

/** Everything needed to call the reference by hand, and the same as a profile to run against it. */
async function byHand(stack: ReferenceStack): Promise<string> {
  const { profile } = stack;
  const base = `${stack.gatewayUrl}/${profile.stage}`;
  const jwt = profile.jwt!;
  const issuer = await connectIssuer({
    issuerUrl: jwt.issuer,
    audience: jwt.audience,
    mintUrl: jwt.mint!.url,
    secret: jwt.mint!.secret,
  });
  const token = await issuer.mint({ scope: jwt.scopes.join(' ') });
  const keys = profile.apiKeys!;
  const sigv4 = profile.sigv4!;
  const tokens = profile.authorizer!.tokens;
  const width = Math.max(...Object.keys(ROUTE_NEEDS).map((r) => r.length));
  const routes = Object.entries(profile.routes).map(
    ([role, path]) =>
      `  ${role.padEnd(width)}  GET ${base}${path}   ${ROUTE_NEEDS[role as keyof Profile['routes']]}`,
  );
  return [
    `gateway  ${base}  (REST semantics, stage ${profile.stage})`,
    `probe    ${stack.probeUrl}`,
    `issuer   ${jwt.issuer}`,
    '',
    'The values below are secrets of your own local reference, made afresh at every start and',
    'shown so you can try it by hand; never paste them anywhere else.',
    '',
    'routes',
    ...routes,
    '',
    `api key        ${keys.valid}   (other ${keys.other}, disabled ${keys.disabled}, other stage ${keys.otherStage})`,
    `jwt token      ${token}   (5 minutes; more with POST ${jwt.mint!.url}/__gateproof/issuer/mint)`,
    `authorizer     allow ${tokens.allow}   deny ${tokens.deny}   unauthorized ${tokens.unauthorized}`,
    `sigv4          region ${sigv4.region}, service ${sigv4.service}, access key id ${sigv4.accessKeyId}, secret ${sigv4.secretAccessKey}`,
    '',
    'try',
    `  curl -H 'x-api-key: ${keys.valid}' ${base}${profile.routes.keyed}`,
    `  curl -H 'authorization: Bearer ${token}' ${base}${profile.routes.jwt}`,
    `  curl -H 'authorization: ${tokens.allow}' ${base}${profile.routes.authorizer}`,
    `  curl --aws-sigv4 'aws:amz:${sigv4.region}:${sigv4.service}' --user '${sigv4.accessKeyId}:${sigv4.secretAccessKey}' ${base}${profile.routes.iam}`,
    '',
    '# the same as a target profile (gateproof run --target FILE); it holds the secrets above',
    '---',
    stringify({ ...profile, name: 'reference-by-hand', kind: 'url' }).trimEnd(),
    '...',
    'serving until Ctrl-C',
    '',
  ].join('\n');
}
