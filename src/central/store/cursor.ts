import { StoreError } from './errors.js';

/** Cursors are opaque to clients: the sort value and the id of the last item, base64url JSON. */
export const encodeCursor = (value: string | number, id: string): string => Buffer.from(JSON.stringify([value, id])).toString('base64url');

export const decodeCursor = (cursor: string): [string | number, string] => {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 2 && (typeof value[0] === 'string' || typeof value[0] === 'number') && typeof value[1] === 'string')
      return [value[0], value[1]];
  } catch {
    // Falls through to the error below.
  }
  throw new StoreError('invalid-cursor', 'the cursor is not one this server gave out; start again without it');
};

/**
 * A page from `limit + 1` rows read in the list's order: the items, and when there are more, the
 * cursor of the last one (its sort value and id).
 */
export const pageOf = <Row, T>(
  rows: readonly Row[],
  limit: number,
  map: (row: Row) => T,
  cursorOf: (row: Row) => readonly [string | number, string],
): { items: T[]; next?: string } => {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items: items.map(map), ...(rows.length > limit && last !== undefined ? { next: encodeCursor(...cursorOf(last)) } : {}) };
};

/** A page of rows read by id (`limit + 1` of them): the items, and a cursor when there are more. */
export const pageById = <Row extends { readonly id: string }, T>(rows: readonly Row[], limit: number, map: (row: Row) => T): { items: T[]; next?: string } =>
  pageOf(rows, limit, map, (row) => [row.id, row.id]);
