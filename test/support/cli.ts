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
