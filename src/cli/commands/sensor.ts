import { writeFile, rename } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { connectToCluster, lapsedExceptions, watchCluster, type SensorEvent } from '../../app/index.js';
import { policyGate, warnLapsed, type PolicySelectionFlags } from '../policy-gate.js';

export interface SensorCliOptions extends PolicySelectionFlags {
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly inCluster?: boolean;
  readonly output: string;
  readonly debounce: string;
  readonly stateFile?: string;
  readonly quiet?: boolean;
}

const text = (event: SensorEvent): string => {
  switch (event.event) {
    case 'synced':
      return `synced: ${event.objects} objects`;
    case 'note':
      return `${event.resource}: ${event.message}`;
    case 'warning':
      return `WARNING ${event.resource}: ${event.message}`;
    default:
      return `${event.event === 'violation' ? 'VIOLATION' : 'resolved '} ${event.severity} [${event.policyId}] ${event.object.kind} ${event.object.namespace ? `${event.object.namespace}/` : ''}${event.object.name}${event.container ? ` (container ${event.container})` : ''}: ${event.message}`;
  }
};

/**
 * `kubeward sensor`: lists and watches the cluster, keeps the model up to date and reports
 * DEPLOY-stage violations as they appear and are resolved (JSON lines with --output json).
 * Runs until SIGTERM or SIGINT.
 */
export const runSensor = async (options: SensorCliOptions, io: Io, signal: AbortSignal): Promise<number> => {
  if (options.output !== 'json' && options.output !== 'text') throw new UsageError('--output must be json or text');
  const debounceMs = Number(options.debounce);
  if (!Number.isFinite(debounceMs) || debounceMs < 0) throw new UsageError('--debounce takes milliseconds');
  const cluster = connectToCluster({ inCluster: options.inCluster, kubeconfig: options.kubeconfig, context: options.context, cwd: io.cwd });
  const set = await policyGate({ ...options, quiet: options.quiet ?? false }, io);
  warnLapsed(lapsedExceptions(set, io.now()), io);
  let writing = Promise.resolve();
  const sensor = watchCluster({
    cluster,
    set,
    now: io.now,
    debounceMs,
    emit: (event) => {
      if (options.quiet && event.event === 'note') return;
      const time = io.now().toISOString();
      if (options.output === 'json') void io.stdout(`${JSON.stringify({ time, ...event })}\n`);
      else void io.stdout(`${time} ${text(event)}\n`);
    },
    ...(options.stateFile
      ? {
          onEvaluated: (state) => {
            const target = resolve(io.cwd, options.stateFile as string);
            // Written whole then renamed, so a reader never sees half a file.
            writing = writing
              .then(async () => {
                await writeFile(`${target}.tmp`, JSON.stringify(state));
                await rename(`${target}.tmp`, target);
              })
              .catch((error: unknown) => io.stderr(`kubeward: warning: cannot write --state-file: ${(error as Error).message}\n`));
          },
        }
      : {}),
  });
  io.stderr(`kubeward: sensor watching ${sensor.server} with ${sensor.policies} DEPLOY-stage policies\n`);
  await sensor.run(signal);
  await writing;
  return 0;
};
