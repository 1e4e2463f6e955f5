import { createHash, randomBytes } from 'node:crypto';
import type { CentralStore, Role, TokenRecord } from '../store/index.js';

/** A token as users see it once: a recognisable prefix and 256 random bits. */
export const newTokenSecret = (): string => `kw_${randomBytes(32).toString('base64url')}`;

export const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('hex');

/** What each role may do; a route names the permission it needs. */
export const PERMISSIONS = {
  read: ['admin', 'analyst', 'viewer'],
  triage: ['admin', 'analyst'],
  ingest: ['admin', 'sensor'],
  scan: ['admin', 'analyst', 'ci'],
  push: ['admin', 'ci'],
  admission: ['admin', 'admission'],
  approve: ['admin'],
  policy: ['admin'],
  admin: ['admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export interface Principal {
  readonly token: TokenRecord;
  readonly actor: string;
}

/** A simple per-token bucket: `rate` requests a second, bursts up to `burst`. */
export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  constructor(
    readonly rate: number,
    readonly burst: number,
  ) {}

  take(key: string, now: number): boolean {
    const bucket = this.#buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.rate);
    bucket.at = now;
    this.#buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}

/**
 * The store with live tokens remembered for `ttlMs` of real time: a request then costs no query
 * for its token. Unknown secrets are not remembered, so a token made on any replica works at
 * once. A revocation through this store is seen at once; one made through another replica is
 * seen here within `ttlMs`. Expiry is checked on every lookup.
 */
export const withTokenCache = (store: CentralStore, ttlMs = 5000, maxEntries = 10_000): CentralStore => {
  const cached = new Map<string, { readonly token: TokenRecord; readonly until: number }>();
  return {
    ...store,
    findToken: async (secretHash, at) => {
      const now = performance.now();
      const entry = cached.get(secretHash);
      let token = entry && entry.until > now ? entry.token : undefined;
      if (!token) {
        token = await store.findToken(secretHash, at);
        if (!token) return undefined;
        if (cached.size >= maxEntries) cached.clear();
        cached.set(secretHash, { token, until: now + ttlMs });
      }
      return !token.expiresAt || token.expiresAt > at ? token : undefined;
    },
    revokeToken: async (id, actor, at) => {
      const revoked = await store.revokeToken(id, actor, at);
      cached.clear();
      return revoked;
    },
  };
};
