/** Retries a check until it passes or the time is up (then its last error): for state that settles asynchronously. */
export const eventually = async <T>(check: () => Promise<T>, timeoutMs = 30_000, everyMs = 100): Promise<T> => {
  const started = Date.now();
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() - started > timeoutMs) throw error;
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  }
};
