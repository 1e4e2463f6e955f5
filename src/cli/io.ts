/** Everything a command touches outside itself, so commands run the same in tests and in a shell. */
export interface Io {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly version: string;
  readonly stdoutIsTTY: boolean;
  readonly stdinIsTTY: boolean;
  /** Writes to standard output: a string, or pieces of a large output in order, waiting for the reader. */
  readonly stdout: (text: string | Iterable<string>) => Promise<void>;
  readonly stderr: (text: string) => void;
  readonly readStdin: () => AsyncIterable<Uint8Array | string>;
  readonly now: () => Date;
  /**
   * For long-running commands (servers, watchers): a signal aborted on SIGTERM or SIGINT. Asking
   * for it installs the handlers, so other commands keep the default Ctrl-C.
   */
  readonly shutdownSignal?: () => AbortSignal;
}
