import { spawn } from 'node:child_process';
import { repoPath, repoRoot } from './repo.js';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built `kubeward` binary as a user would, in a child process. */
export const kubeward = (args: readonly string[], options: { cwd?: string; stdin?: string; env?: Record<string, string> } = {}): Promise<CliResult> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [repoPath('dist/src/cli/bin.js'), ...args], {
      cwd: options.cwd ?? repoRoot(),
      // Image scans are cached by digest; tests read images afresh unless they test the cache.
      env: { ...process.env, NO_COLOR: '1', KUBEWARD_NO_CACHE: '1', ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });

/** A long-running `kubeward` (a server): its output so far, a wait for a line, and a stop by signal. */
export interface RunningKubeward {
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves with the first match of the pattern on stderr (or rejects when the process exits first). */
  readonly waitForStderr: (pattern: RegExp, timeoutMs?: number) => Promise<RegExpMatchArray>;
  /** The same on stdout, from an offset (to wait for what comes after an earlier point). */
  readonly waitForStdout: (pattern: RegExp, timeoutMs?: number, from?: number) => Promise<RegExpMatchArray>;
  /** Pauses (SIGSTOP) or resumes (SIGCONT) the process. */
  readonly pause: () => void;
  readonly resume: () => void;
  /** Sends SIGTERM and resolves with the exit code. */
  readonly stop: () => Promise<number>;
  /** Kills the process outright (SIGKILL: no cleanup, as a crash) and resolves when it is gone. */
  readonly kill: () => Promise<number>;
}

export const startKubeward = (args: readonly string[], options: { cwd?: string; env?: Record<string, string> } = {}): RunningKubeward => {
  const child = spawn(process.execPath, [repoPath('dist/src/cli/bin.js'), ...args], {
    cwd: options.cwd ?? repoRoot(),
    env: { ...process.env, NO_COLOR: '1', KUBEWARD_NO_CACHE: '1', ...options.env },
  });
  let stdout = '';
  let stderr = '';
  let exitCode: number | undefined;
  const exited = new Promise<number>((resolve) => child.on('close', (code, signal) => resolve((exitCode = code ?? (signal ? 128 : -1)))));
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end();
  const waitFor = (text: () => string, pattern: RegExp, timeoutMs: number, from: number): Promise<RegExpMatchArray> =>
    new Promise((resolve, reject) => {
      const started = Date.now();
      const poll = (): void => {
        const match = pattern.exec(text().slice(from));
        if (match) resolve(match);
        else if (exitCode !== undefined) reject(new Error(`kubeward exited with ${exitCode} before ${pattern}: ${stderr}`));
        else if (Date.now() - started > timeoutMs)
          reject(new Error(`no ${pattern} within ${timeoutMs} ms; stdout: ${stdout.slice(-2000)}; stderr: ${stderr.slice(-2000)}`));
        else setTimeout(poll, 25);
      };
      poll();
    });
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    waitForStderr: (pattern, timeoutMs = 20_000) => waitFor(() => stderr, pattern, timeoutMs, 0),
    waitForStdout: (pattern, timeoutMs = 20_000, from = 0) => waitFor(() => stdout, pattern, timeoutMs, from),
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
    stop: async () => {
      if (exitCode === undefined) child.kill('SIGTERM');
      return exited;
    },
    kill: async () => {
      if (exitCode === undefined) child.kill('SIGKILL');
      return exited;
    },
  };
};
