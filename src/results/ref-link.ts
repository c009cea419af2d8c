/**
 * A case's refs as links: a section of gateproof's own docs (`docs/…#anchor`, relative to the
 * package), or an RFC, CVE or AWS page. Suites write refs in short forms (`RFC 6750 §3`,
 * `CVE-2022-21449`, a section of the AWS behaviour notes); this one table turns each into the
 * link, so a new case needs no edit here unless it names a new section.
 */

const CASES = 'docs/cases.md';

/**
 * Refs by name, where the plain rule (`aws-semantics.md#anchor` → `docs/cases.md#anchor`, the
 * same section headings) does not apply: a subsection named in passing, a named reference.
 */
const NAMED: Record<string, string> = {
  'aws-semantics.md#authorizers (Lambda authorizer)': `${CASES}#lambda-authorizer`,
  'aws-semantics.md#authorizers (JWT authorizer, HTTP API)': `${CASES}#jwt-authorizer-http-api`,
  'aws-semantics.md: JWT authorizer (HTTP API)': `${CASES}#jwt-authorizer-http-api`,
  'aws-semantics.md: $context.authorizer.claims': `${CASES}#the-authorizer-context-at-the-origin`,
  'aws-semantics.md: JWKS refetched on an unknown kid': `${CASES}#jwks-refresh`,
  'aws-semantics.md: the payload hash is computed over the body': `${CASES}#the-payload-hash`,
  'aws-semantics.md: policy denies': `${CASES}#policy-denies`,
  'aws-semantics.md: header size limits': `${CASES}#gateway-responses-customization`,
  'OpenID Connect Core §3.1.3.7': 'https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation',
  'AWS SigV4: create a canonical request':
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html',
  'AWS SigV4 test suite: get-vanilla': `${CASES}#signing-the-canonical-request`,
};

/** The link a ref stands for; a ref in no known form is returned as written (a test keeps that from happening). */
export function refLink(ref: string): string {
  const named = NAMED[ref];
  if (named) return named;
  if (/^(https:\/\/|docs\/)/.test(ref)) return ref;
  const section = /^aws-semantics\.md#([a-z0-9-]+)$/.exec(ref);
  if (section) return `${CASES}#${section[1]}`;
  // `RFC 7519 §2 NumericDate`: the words after the section name what is there.
  const rfc = /^RFC (\d+)(?: §(\d+(?:\.\d+)*))?(?: \S.*)?$/.exec(ref);
  if (rfc) return `https://www.rfc-editor.org/rfc/rfc${rfc[1]}${rfc[2] ? `#section-${rfc[2]}` : ''}`;
  if (/^CVE-\d{4}-\d{4,}$/.test(ref)) return `https://www.cve.org/CVERecord?id=${ref}`;
  return ref;
}

/** True when the ref is a link: what every built-in case's refs must be. */
export function isRefLink(ref: string): boolean {
  return /^https:\/\/[^\s]+$/.test(ref) || /^docs\/[a-z0-9-]+\.md#[a-z0-9-]+$/.test(ref);
}
