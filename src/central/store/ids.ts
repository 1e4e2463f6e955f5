import { randomBytes } from 'node:crypto';

let sequence = 0;

/**
 * A time-ordered id: milliseconds, then a per-process sequence (ids made in the same millisecond
 * keep their order), then random bits (ids from several replicas never collide).
 */
export const timeOrderedId = (at: string): string =>
  `${Date.parse(at).toString(16).padStart(12, '0')}${(sequence = (sequence + 1) % 0xffffffff).toString(16).padStart(8, '0')}${randomBytes(6).toString('hex')}`;
