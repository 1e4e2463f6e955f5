/** A store failure a caller can act on: a cursor it did not give out, a conflict to retry, a database away. */
export class StoreError extends Error {
  constructor(
    readonly code: 'invalid-cursor' | 'not-found' | 'unavailable' | 'conflict',
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}
