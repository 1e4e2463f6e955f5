import { createHash, randomBytes } from 'node:crypto';
import type { Role, TokenRecord } from '../store/index.js';

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
