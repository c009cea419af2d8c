import { type CryptoKey, importJWK, type JWK } from 'jose';
import { request } from 'undici';

/**
 * The issuer's signing keys as an HTTP-API JWT authorizer holds them: fetched with a 1.5 s timeout
 * and a 150,000-byte limit, cached for up to an hour, and refetched when a token names an unknown
 * `kid`, but at most once per cooldown so that a stream of forged kids cannot turn every request
 * into a fetch. Keys come only from the configured issuer, never from a token's own headers.
 */

export interface JwksCacheOptions {
  /** The JWKS URL; when absent it is read from the issuer's discovery document. */
  jwksUrl?: string;
  timeoutMs?: number;
  maxBytes?: number;
  maxAgeMs?: number;
  /** Least time between two fetches that a request caused (an unknown kid, a failed fetch). */
  refetchCooldownMs?: number;
  /** Milliseconds since the epoch. */
  now?: () => number;
}

export const JWKS_DEFAULTS = {
  timeoutMs: 1500,
  maxBytes: 150_000,
  maxAgeMs: 3_600_000,
  refetchCooldownMs: 10_000,
} as const;

/** The keys cannot be had: the fetch failed or timed out, or the document is not a JWKS. */
export class JwksUnavailableError extends Error {
  override name = 'JwksUnavailableError';
}

interface KeySet {
  keys: readonly JWK[];
  fetchedAt: number;
}

export class JwksCache {
  private readonly options: Required<Omit<JwksCacheOptions, 'jwksUrl'>>;
  private jwksUrl: string | undefined;
  private current: KeySet | undefined;
  private lastAttemptAt: number | undefined;
  private inFlight: Promise<KeySet> | undefined;
  /** Imported keys by the JWK object they came from, so a new key set never meets an old import. */
  private readonly imported = new WeakMap<JWK, Map<string, Promise<CryptoKey | Uint8Array>>>();
  private fetchCount = 0;

  constructor(
    private readonly issuer: string,
    options: JwksCacheOptions = {},
  ) {
    this.jwksUrl = options.jwksUrl;
    this.options = { ...JWKS_DEFAULTS, now: Date.now, ...withoutUndefined(options) };
  }

  /** Fetches of the JWKS (and of discovery) this cache made. */
  get fetches(): number {
    return this.fetchCount;
  }

  /**
   * The public key for `kid` usable with `alg`, or undefined when the JWKS has no such key.
   * Throws JwksUnavailableError when there are no fresh keys and none can be fetched.
   */
  async key(kid: string, alg: string): Promise<CryptoKey | Uint8Array | undefined> {
    const jwk = await this.jwk(kid, alg);
    if (!jwk) return undefined;
    let byAlg = this.imported.get(jwk);
    if (!byAlg) {
      byAlg = new Map();
      this.imported.set(jwk, byAlg);
    }
    let key = byAlg.get(alg);
    if (!key) {
      key = importJWK(jwk, alg);
      byAlg.set(alg, key);
    }
    return key;
  }

  /** The published JWK for `kid` (and `alg`, when given), refetching once per cooldown if absent. */
  async jwk(kid: string, alg?: string): Promise<JWK | undefined> {
    const { now, maxAgeMs } = this.options;
    const cached = this.current && now() - this.current.fetchedAt < maxAgeMs ? this.current : undefined;
    if (!cached && !this.mayFetch()) {
      throw new JwksUnavailableError('the JWKS could not be fetched recently; waiting to retry');
    }
    const jwk = findKey(cached ?? (await this.refresh()), kid, alg);
    if (jwk || !cached || !this.mayFetch()) return jwk;
    return findKey(await this.refresh(), kid, alg);
  }

  /** Every published signing key, from the cache while it is fresh. */
  async published(): Promise<readonly JWK[]> {
    const { now, maxAgeMs } = this.options;
    if (this.current && now() - this.current.fetchedAt < maxAgeMs) return this.current.keys;
    if (!this.mayFetch())
      throw new JwksUnavailableError('the JWKS could not be fetched recently; waiting to retry');
    return (await this.refresh()).keys;
  }

  private mayFetch(): boolean {
    return (
      this.inFlight !== undefined ||
      this.lastAttemptAt === undefined ||
      this.options.now() - this.lastAttemptAt >= this.options.refetchCooldownMs
    );
  }

  /** One fetch at a time: concurrent callers share it. */
  private refresh(): Promise<KeySet> {
    if (!this.inFlight) {
      this.lastAttemptAt = this.options.now();
      const attemptAt = this.lastAttemptAt;
      this.inFlight = this.load(attemptAt).finally(() => {
        this.inFlight = undefined;
      });
    }
    return this.inFlight;
  }

  private async load(attemptAt: number): Promise<KeySet> {
    this.jwksUrl ??= await this.discover();
    const document = await this.getJson(this.jwksUrl);
    const keys = (document as { keys?: unknown }).keys;
    if (!Array.isArray(keys)) throw new JwksUnavailableError('the JWKS has no "keys" array');
    this.current = { keys: keys.filter(isSigningKey), fetchedAt: attemptAt };
    return this.current;
  }

  private async discover(): Promise<string> {
    const url = `${this.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    const document = (await this.getJson(url)) as { issuer?: unknown; jwks_uri?: unknown };
    if (document.issuer !== this.issuer) {
      throw new JwksUnavailableError('the discovery document names another issuer');
    }
    if (typeof document.jwks_uri !== 'string' || !/^https?:\/\//.test(document.jwks_uri)) {
      throw new JwksUnavailableError('the discovery document has no http(s) jwks_uri');
    }
    return document.jwks_uri;
  }

  private async getJson(url: string): Promise<unknown> {
    this.fetchCount += 1;
    const { timeoutMs, maxBytes } = this.options;
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const response = await request(url, { method: 'GET', signal, headers: { accept: 'application/json' } });
      if (response.statusCode !== 200) {
        await response.body.dump();
        throw new JwksUnavailableError(`${url} answered ${response.statusCode}`);
      }
      const declared = Number(response.headers['content-length']);
      if (declared > maxBytes) {
        response.body.destroy();
        throw new JwksUnavailableError(`${url} is larger than ${maxBytes} bytes`);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body) {
        size += chunk.length;
        if (size > maxBytes) {
          response.body.destroy();
          throw new JwksUnavailableError(`${url} is larger than ${maxBytes} bytes`);
        }
        chunks.push(chunk);
      }
      return JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch (err) {
      if (err instanceof JwksUnavailableError) throw err;
      const reason = signal.aborted ? `no answer within ${timeoutMs} ms` : (err as Error).message;
      throw new JwksUnavailableError(`${url}: ${reason}`);
    }
  }
}

/** Asymmetric signing keys with a kid; an `oct` key in a JWKS would let anyone holding it sign. */
function isSigningKey(value: unknown): value is JWK {
  if (typeof value !== 'object' || value === null) return false;
  const jwk = value as JWK;
  return (
    typeof jwk.kid === 'string' &&
    (jwk.kty === 'RSA' || jwk.kty === 'EC' || jwk.kty === 'OKP') &&
    (jwk.use === undefined || jwk.use === 'sig')
  );
}

function findKey(set: KeySet, kid: string, alg: string | undefined): JWK | undefined {
  return set.keys.find(
    (jwk) => jwk.kid === kid && (jwk.alg === undefined || alg === undefined || jwk.alg === alg),
  );
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
