/**
 * Start-up: how long `kubeward` takes before it does any work, against a bare `node`, and how
 * many of the project's modules each command loads (every command loads its own modules only
 * when it runs). Prints JSON.
 *
 *   node dist/bench/startup.js [--runs 10]
 */
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { median, round } from './measure.js';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '10' } } });
const root = new URL('../..', import.meta.url).pathname;
const bin = join(root, 'dist/src/cli/bin.js');
const log = (message: string): void => void process.stderr.write(`bench: ${message}\n`);

/** Counts the project's modules loaded by a command: an ESM loader hook sees every one. */
const modulesLoaded = async (commandArgs: readonly string[]): Promise<number> => {
  const hook = `data:text/javascript,${encodeURIComponent(`
    import { register } from 'node:module';
    import { writeSync } from 'node:fs';
    const { port1, port2 } = new MessageChannel();
    let count = 0;
    port1.on('message', () => count++);
    port1.unref();
    process.on('exit', () => writeSync(2, '\\nmodules ' + count + '\\n'));
    register('data:text/javascript,' + encodeURIComponent(\`
      let port;
      export const initialize = (data) => { port = data.port; };
      export const load = async (url, context, next) => { if (url.includes('/dist/src/')) port.postMessage(url); return next(url, context); };
    \`), { data: { port: port2 }, transferList: [port2] });
  `)}`;
  const result = spawnSync(process.execPath, ['--import', hook, bin, ...commandArgs], { encoding: 'utf8' });
  return Number(/modules (\d+)/.exec(result.stderr)?.[1] ?? Number.NaN);
};

const main = async (): Promise<void> => {
  const runs = Number(args.runs);
  const time = async (label: string, command: string, commandArgs: readonly string[]) => {
    log(label);
    const walls: number[] = [];
    // Timed around a bare spawn (no GNU time in between, no RSS): start-up is tens of milliseconds.
    for (let run = 0; run < runs; run++) {
      const started = performance.now();
      const result = spawnSync(command, commandArgs, { stdio: ['ignore', 'ignore', 'ignore'] });
      walls.push((performance.now() - started) / 1000);
      if (result.status !== 0) throw new Error(`${label} exited ${result.status}`);
    }
    return { median: round(median(walls), 3), min: round(Math.min(...walls), 3), max: round(Math.max(...walls), 3) };
  };
  const node = await time('bare node', process.execPath, ['-e', '0']);
  const commands: Record<string, { wallSeconds: unknown; projectModules: number }> = {};
  for (const command of [
    ['--version'],
    ['--help'],
    ['scan', '--help'],
    ['policy', 'list', '--format', 'json'],
    ['scan', join(root, 'examples/ops'), '--no-fail', '--quiet'],
  ]) {
    commands[`kubeward ${command.join(' ').replace(root, '')}`] = {
      wallSeconds: await time(command.join(' '), process.execPath, [bin, ...command]),
      projectModules: await modulesLoaded(command),
    };
  }
  const version = commands['kubeward --version'] as { wallSeconds: { median: number } };
  const help = commands['kubeward --help'] as { wallSeconds: { median: number } };
  process.stdout.write(
    `${JSON.stringify(
      {
        benchmark: 'startup',
        date: new Date().toISOString(),
        machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version },
        runs,
        bareNodeWallSeconds: node,
        commands,
        targets: { versionUnder120ms: version.wallSeconds.median < 0.12, helpUnder120ms: help.wallSeconds.median < 0.12 },
      },
      null,
      2,
    )}\n`,
  );
};

await main();
