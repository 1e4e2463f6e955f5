import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Child-process measurements shared by the benchmarks: wall time and peak RSS of a whole command. */
export const round = (value: number, digits = 2): number => Number(value.toFixed(digits));
export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

export interface Measurement {
  readonly wallSeconds: number;
  readonly peakRssMB: number;
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly timedOut: boolean;
}

const GNU_TIME = '/usr/bin/time';
export const hasGnuTime = existsSync(GNU_TIME) && spawnSync(GNU_TIME, ['-f', '%M', 'true'], { encoding: 'utf8' }).status === 0;

/**
 * Runs a command to completion and keeps its stdout. Peak RSS is GNU time's `%M` (the kernel's
 * ru_maxrss of the command, exact however short-lived), else VmHWM sampled every 5 ms.
 */
export const measure = (command: string, commandArgs: readonly string[], timeoutSeconds: number, env: NodeJS.ProcessEnv = process.env): Promise<Measurement> =>
  new Promise((resolve, reject) => {
    void (async () => {
      const scratch = await mkdtemp(join(tmpdir(), 'kubeward-bench-time-'));
      const timeFile = join(scratch, 'rss');
      const [program, programArgs] = hasGnuTime ? [GNU_TIME, ['-f', '%M', '-o', timeFile, command, ...commandArgs]] : [command, [...commandArgs]];
      const started = performance.now();
      const child = spawn(program, programArgs, { stdio: ['ignore', 'pipe', 'ignore'], env });
      const chunks: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
      let sampled = 0;
      let timedOut = false;
      const timer = hasGnuTime
        ? undefined
        : setInterval(() => {
            try {
              const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
              if (match) sampled = Math.max(sampled, Number(match[1]) / 1024);
            } catch {
              // the process just exited
            }
          }, 5);
      const killer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, timeoutSeconds * 1000);
      child.on('error', reject);
      child.on('close', (code) => {
        const wallSeconds = (performance.now() - started) / 1000;
        clearInterval(timer);
        clearTimeout(killer);
        void (async () => {
          const kilobytes = hasGnuTime ? Number((await readFile(timeFile, 'utf8').catch(() => '')).trim().split('\n').at(-1)) : sampled * 1024;
          await rm(scratch, { recursive: true, force: true });
          resolve({ wallSeconds, peakRssMB: Math.round((kilobytes || 0) / 1024), exitCode: code, stdout: Buffer.concat(chunks).toString('utf8'), timedOut });
        })();
      });
    })().catch(reject);
  });

export const summarise = (measured: readonly Measurement[]) => ({
  wallSeconds: { median: round(median(measured.map((run) => run.wallSeconds))), runs: measured.map((run) => round(run.wallSeconds)) },
  peakRssMB: { max: Math.max(...measured.map((run) => run.peakRssMB)), runs: measured.map((run) => run.peakRssMB) },
  exitCodes: [...new Set(measured.map((run) => run.exitCode))],
});
