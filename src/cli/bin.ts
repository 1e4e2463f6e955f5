#!/usr/bin/env node
import { once } from 'node:events';
import { main, packageVersion } from './main.js';

/**
 * Writes and waits whenever the stream's buffer is full: stdout on a pipe buffers without
 * limit, and a large report piped to a slow reader would otherwise sit in memory whole.
 */
const write =
  (stream: NodeJS.WriteStream) =>
  async (text: string | Iterable<string>): Promise<void> => {
    for (const chunk of typeof text === 'string' ? [text] : text) if (!stream.write(chunk)) await once(stream, 'drain');
  };

// A reader that goes away (`kubeward ... | head`) is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await main(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  version: packageVersion(),
  stdoutIsTTY: process.stdout.isTTY === true && process.env.NO_COLOR === undefined,
  stdinIsTTY: process.stdin.isTTY === true,
  stdout: write(process.stdout),
  stderr: (text: string) => process.stderr.write(text),
  readStdin: () => process.stdin,
  now: () => new Date(),
  shutdownSignal: () => {
    const controller = new AbortController();
    const stop = (): void => controller.abort();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    return controller.signal;
  },
});
