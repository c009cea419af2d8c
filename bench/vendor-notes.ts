import type { VendorNote } from '../src/report/vendor-matrix.js';

/**
 * Why each gateway does not keep a promise, one sentence each: for a feature its target does not
 * claim, or for one case. A deviation without a note is explained by the case's own message.
 */
export const VENDOR_NOTES: VendorNote[] = [
  {
    vendor: 'nginx',
    feature: 'sigv4',
    why: 'stock nginx has no SigV4 verifier, so the IAM routes are not configured.',
  },
  {
    vendor: 'nginx',
    feature: 'authorizer',
    why: 'stock nginx cannot call a Lambda-style authorizer function.',
  },
  {
    vendor: 'nginx',
    feature: 'cache-flush',
    why: 'open-source nginx has no command that empties a proxy_cache zone (purging is an NGINX Plus feature).',
  },
  {
    vendor: 'nginx',
    feature: 'quota',
    why: 'the usage-plan quota needs libnginx-mod-http-lua, which did not load.',
  },
  {
    vendor: 'nginx',
    feature: 'jwt',
    why: 'the JWT authorizer needs libnginx-mod-http-js (njs), which did not load.',
  },
  {
    vendor: 'haproxy',
    feature: 'sigv4',
    why: 'HAProxy has no SigV4 verifier; only custom Lua could add one, and that would be gateproof code, not HAProxy.',
  },
  {
    vendor: 'haproxy',
    feature: 'authorizer',
    why: 'HAProxy cannot call a Lambda-style authorizer function without custom Lua.',
  },
  {
    vendor: 'haproxy',
    feature: 'jwt-rotation',
    why: 'jwt_verify reads its public keys from files when HAProxy starts and never fetches a JWKS, so a key the issuer publishes later stays unknown until a reload.',
  },
  {
    vendor: 'haproxy',
    feature: 'cache-flush',
    why: 'HAProxy 2.6 has no command that empties a cache section.',
  },
  {
    vendor: 'haproxy',
    case: 'cache.key.shared-across-callers',
    why: "HAProxy never serves a stored answer to a request carrying Authorization (a shared cache's rule, RFC 9111 §3.5), where API Gateway leaves Authorization out of the key.",
  },
];
