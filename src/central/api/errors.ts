/** An API error as data: the status, a stable code, the words, and the field at fault. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Connection-level failures of the database: the API answers 503 and recovers when it is back. */
export const isUnavailable = (error: unknown): boolean => {
  const code = (error as { code?: unknown }).code;
  return (
    (typeof code === 'string' &&
      (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P03', '08006', '08001', '08003', 'SQLITE_BUSY'].includes(code) ||
        code.startsWith('08'))) ||
    /Connection terminated|timeout exceeded when trying to connect/i.test((error as Error).message ?? '')
  );
};
