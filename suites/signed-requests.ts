import type { SignedRequest, SignInput, SigV4Credentials } from '../src/auth/sigv4-sign.js';
import type { paths } from '../src/contract/generated/probe-api.js';
import type { Exchange, TypedClient } from '../src/contract/typed-client.js';
import { SetupFailure } from '../src/run/case-meta.js';
import type { Profile } from '../src/target/profile-schema.js';

/** SigV4 requests for the suites: what to sign with, and sending exactly what was signed. */

export type SigV4Profile = NonNullable<Profile['sigv4']>;

export function sigv4Of(target: Profile): SigV4Profile {
  if (!target.sigv4) throw new SetupFailure('the profile has no sigv4 section (region and credentials)');
  return target.sigv4;
}

export function temporaryOf(sigv4: SigV4Profile): SigV4Credentials & { sessionToken: string } {
  if (sigv4.temporary) return sigv4.temporary;
  if (sigv4.sessionToken) return { ...sigv4, sessionToken: sigv4.sessionToken };
  throw new SetupFailure('the profile has no temporary SigV4 credentials (sigv4.temporary)');
}

export function deniedOf(sigv4: SigV4Profile): SigV4Credentials {
  if (!sigv4.denied) throw new SetupFailure('the profile has no sigv4.denied credentials');
  return sigv4.denied;
}

/** What every signed case starts from: a GET of the IAM route, signed now by the allowed credential. */
export function iamRequest(
  client: TypedClient<paths>,
  target: Profile,
  nonce: string,
  overrides: Partial<SignInput> = {},
): SignInput {
  const sigv4 = sigv4Of(target);
  return {
    method: 'GET',
    url: client.url(target.routes.iam, { gpn: nonce }),
    credentials: { accessKeyId: sigv4.accessKeyId, secretAccessKey: sigv4.secretAccessKey },
    region: sigv4.region,
    service: sigv4.service,
    ...overrides,
  };
}

/** The path part of a URL, exactly as written. */
export function pathOf(url: string): string {
  return /^[a-z]+:\/\/[^/?#]+([^?#]*)/i.exec(url)?.[1] ?? '/';
}

/** Sends the request byte for byte as signed (or tampered), through the client so it becomes evidence. */
export function sendSigned(client: TypedClient<paths>, signed: SignedRequest): Promise<Exchange> {
  const stageUrl = client.url('');
  const origin = /^[a-z]+:\/\/[^/?#]+/i.exec(stageUrl)?.[0] ?? '';
  if (!signed.url.startsWith(origin)) throw new Error(`signed for another origin: ${pathOf(signed.url)}`);
  const stagePath = stageUrl.slice(origin.length);
  const path = signed.url.slice(origin.length);
  // The client puts the stage back in front of a stage-relative path.
  const relative = path.startsWith(`${stagePath}/`) ? path.slice(stagePath.length) : path;
  return client.raw(signed.method, relative, {
    headers: signed.headers,
    ...(signed.body !== undefined && { body: signed.body }),
  });
}
