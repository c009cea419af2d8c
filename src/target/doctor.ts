import { randomBytes } from 'node:crypto';
import { request } from 'undici';
import { connectIssuer } from '../auth/remote-issuer.js';
import { signRequest } from '../auth/sigv4-sign.js';
import { describeTransportError } from '../contract/typed-client.js';
import { ProbeClient } from '../probe/probe-client.js';
import { NONCE_PARAM } from '../probe/protocol.js';
import type { Profile } from './profile-schema.js';

/** One finding of `gateproof doctor`: a line saying what holds, or what does not and where to look. */
export interface Finding {
  ok: boolean;
  message: string;
}

interface Answer {
  status: number;
  echoNonce: string | undefined;
}

/**
 * Checks a profile against the live gateway and probe before a run: the probe's counters
 * answer, a request through the gateway reaches the probe, the profile's keys, credentials,
 * tokens and issuer are the ones the gateway knows. Each check is one request or two, proven
 * at the probe like the cases themselves; a check whose premise failed is not run.
 */
export async function diagnose(profile: Profile): Promise<Finding[]> {
  const findings: Finding[] = [];
  const ok = (message: string) => findings.push({ ok: true, message });
  const problem = (message: string) => findings.push({ ok: false, message });
  const timeout = Math.min(profile.timeoutMs, 10_000);
  const base = `${profile.baseUrl.replace(/\/+$/, '')}${profile.stage ? `/${profile.stage}` : ''}`;
  const probe = profile.probe && new ProbeClient(profile.probe.url, timeout, profile.probe.secret);
  /** The probe once its counters answered: what later checks prove their requests at. */
  let counting: ProbeClient | undefined;

  async function call(
    role: keyof Profile['routes'],
    headers: Record<string, string> = {},
  ): Promise<[string, Answer]> {
    const nonce = `doctor-${randomBytes(6).toString('hex')}`;
    const url = `${base}${profile.routes[role]}?${NONCE_PARAM}=${nonce}`;
    const signed = headers.authorization === 'sigv4' ? sigv4Headers(profile, url) : headers;
    const res = await request(url, { headers: signed, headersTimeout: timeout, bodyTimeout: timeout });
    const text = await res.body.text();
    let echoNonce: string | undefined;
    try {
      echoNonce = (JSON.parse(text) as { nonce?: string }).nonce;
    } catch {}
    return [nonce, { status: res.statusCode, echoNonce }];
  }

  /** One route with one credential: admitted, and seen at the probe. */
  async function admitted(role: keyof Profile['routes'], what: string, headers: Record<string, string>) {
    try {
      const [nonce, answer] = await call(role, headers);
      if (answer.status !== 200) {
        return problem(`${what} refused: ${profile.routes[role]} answered ${answer.status}`);
      }
      const reached = counting ? await counting.reached(nonce) : undefined;
      if (reached === 0)
        return problem(
          `${what}: ${profile.routes[role]} answered 200 but its request never reached probe.url`,
        );
      ok(`${what} admitted on ${profile.routes[role]}`);
    } catch (err) {
      problem(`${what}: ${profile.routes[role]}: ${describeTransportError(err)}`);
    }
  }

  // The probe first: every later check is proven there.
  if (!probe) {
    problem('probe: the profile has no probe.url, so no case can prove what reached the origin');
  } else {
    try {
      await probe.counters();
      counting = probe;
      ok(`probe counters answer at ${profile.probe!.url}`);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      problem(
        /401/.test(reason)
          ? `probe: counters refused at ${profile.probe!.url}: probe.secret is missing or not the probe's secret`
          : `probe: counters unreadable at ${profile.probe!.url}: ${describeTransportError(err)}`,
      );
    }
  }

  try {
    const [nonce, answer] = await call('open');
    if (answer.status !== 200)
      problem(`gateway: ${base}${profile.routes.open} answered ${answer.status}, not 200`);
    else if (answer.echoNonce !== nonce) {
      problem(
        `gateway: ${profile.routes.open} answered 200 without the probe's echo of the request (query not forwarded?)`,
      );
    } else if (counting) {
      const reached = await counting.reached(nonce);
      if (reached === 1) ok(`gateway forwards ${profile.routes.open} to the probe, which counted it`);
      else
        problem(
          `gateway: a request to ${profile.routes.open} reached the probe ${reached} times, not once: do its integrations point at probe.url?`,
        );
    } else ok(`gateway answers at ${base}`);
  } catch (err) {
    problem(`gateway unreachable at ${new URL(profile.baseUrl).origin}: ${describeTransportError(err)}`);
    return findings;
  }

  const claims = (feature: Profile['features'][number]) => profile.features.includes(feature);
  if (claims('apikey') && profile.apiKeys) {
    await admitted('keyed', 'apiKeys.valid', { 'x-api-key': profile.apiKeys.valid });
    if (profile.apiKeys.disabled) {
      const [, answer] = await call('keyed', { 'x-api-key': profile.apiKeys.disabled }).catch(
        () => ['', { status: 0 }] as const,
      );
      if (answer.status === 200) problem('apiKeys.disabled is admitted on /keyed: is it really disabled?');
    }
  } else if (claims('apikey')) problem('apikey is claimed but the profile has no apiKeys');
  if (claims('sigv4')) {
    if (profile.sigv4) await admitted('iam', 'sigv4 credentials', { authorization: 'sigv4' });
    else problem('sigv4 is claimed but the profile has no sigv4 credentials');
  }
  if (claims('authorizer')) {
    if (profile.authorizer) {
      await admitted('authorizer', 'authorizer.tokens.allow', {
        authorization: profile.authorizer.tokens.allow,
      });
    } else problem('authorizer is claimed but the profile has no authorizer section');
  }
  if (claims('jwt'))
    await checkIssuer(profile, timeout, problem, (token) =>
      admitted('jwt', 'a token of jwt.issuer', { authorization: `Bearer ${token}` }),
    );
  return findings;
}

async function checkIssuer(
  profile: Profile,
  timeoutMs: number,
  problem: (message: string) => void,
  tryToken: (token: string) => Promise<unknown>,
): Promise<void> {
  const jwt = profile.jwt;
  if (!jwt) return problem('jwt is claimed but the profile has no jwt section');
  if (jwt.issuer === 'builtin') {
    if (profile.kind === 'url')
      problem(
        "jwt.issuer is builtin, which only targets gateproof starts can trust: use `gateproof probe`'s issuer",
      );
    return;
  }
  if (!jwt.mint) return problem('jwt.mint is missing: no token can be made for the jwt cases');
  let token: string;
  try {
    const issuer = await connectIssuer({
      issuerUrl: jwt.issuer,
      audience: jwt.audience,
      mintUrl: jwt.mint.url,
      secret: jwt.mint.secret,
      timeoutMs,
    });
    token = await issuer.mint(jwt.scopes.length ? { scope: jwt.scopes.join(' ') } : {});
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return problem(
      / 401/.test(reason)
        ? `jwt.mint: the issuer refused jwt.mint.secret at ${jwt.mint.url}`
        : `jwt.mint: no token from ${jwt.mint.url}: ${describeTransportError(err)}`,
    );
  }
  await tryToken(token);
}

function sigv4Headers(profile: Profile, url: string): Record<string, string> {
  const sigv4 = profile.sigv4!;
  const signed = signRequest({
    method: 'GET',
    url,
    credentials: sigv4,
    region: sigv4.region,
    service: sigv4.service,
  });
  return Object.fromEntries(
    Object.entries(signed.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]),
  );
}
