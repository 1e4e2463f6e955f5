import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
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
  readonly stdoutBytes: number;
  readonly timedOut: boolean;
}

const GNU_TIME = '/usr/bin/time';
const HEAD_BYTES = 64 * 1024;
export const hasGnuTime = existsSync(GNU_TIME) && spawnSync(GNU_TIME, ['-f', '%M', 'true'], { encoding: 'utf8' }).status === 0;

/**
 * Runs a command to completion and keeps its stdout. Peak RSS is GNU time's `%M` (the kernel's
 * ru_maxrss of the command, exact however short-lived), else VmHWM sampled every 5 ms.
 */
export const measure = (
  command: string,
  commandArgs: readonly string[],
  timeoutSeconds: number,
  env: NodeJS.ProcessEnv = process.env,
  /** `head` keeps the first 64 KiB and counts the rest (`stdoutBytes`): a report of hundreds of megabytes is not held. */
  stdout: 'keep' | 'head' = 'keep',
): Promise<Measurement> =>
  new Promise((resolve, reject) => {
    void (async () => {
      const scratch = await mkdtemp(join(tmpdir(), 'kubeward-bench-time-'));
      const timeFile = join(scratch, 'rss');
      const [program, programArgs] = hasGnuTime ? [GNU_TIME, ['-f', '%M', '-o', timeFile, command, ...commandArgs]] : [command, [...commandArgs]];
      const started = performance.now();
      const child = spawn(program, programArgs, { stdio: ['ignore', 'pipe', 'ignore'], env });
      const chunks: Buffer[] = [];
      let stdoutBytes = 0;
      child.stdout.on('data', (chunk: Buffer) => {
        if (stdout === 'keep' || stdoutBytes < HEAD_BYTES) chunks.push(stdout === 'keep' ? chunk : chunk.subarray(0, HEAD_BYTES - stdoutBytes));
        stdoutBytes += chunk.length;
      });
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
          resolve({
            wallSeconds,
            peakRssMB: Math.round((kilobytes || 0) / 1024),
            exitCode: code,
            stdout: Buffer.concat(chunks).toString('utf8'),
            stdoutBytes,
            timedOut,
          });
        })();
      });
    })().catch(reject);
  });

export const summarise = (measured: readonly Measurement[]) => ({
  wallSeconds: { median: round(median(measured.map((run) => run.wallSeconds))), runs: measured.map((run) => round(run.wallSeconds)) },
  peakRssMB: { max: Math.max(...measured.map((run) => run.peakRssMB)), runs: measured.map((run) => run.peakRssMB) },
  exitCodes: [...new Set(measured.map((run) => run.exitCode))],
});

/** `go install` builds carry no version of their own (they say `dev` or nothing): the module version is in the Go build info. */
export const goModuleVersion = (path: string, module: string, reported: string | undefined): string => {
  if (reported && /\d/.test(reported)) return reported;
  const info = spawnSync('go', ['version', '-m', path], { encoding: 'utf8' }).stdout ?? '';
  const escaped = module.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return new RegExp(`\\tmod\\t${escaped}\\t(\\S+)`).exec(info)?.[1] ?? reported ?? 'unknown';
};

/** Finds a peer on PATH or in Go's bin directory. */
export const findTool = (name: string): string | undefined => {
  const onPath = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
  if (onPath) return onPath;
  const goBin = join(process.env.GOBIN ?? join(process.env.GOPATH ?? join(homedir(), 'go'), 'bin'), name);
  return existsSync(goBin) ? goBin : undefined;
};
