import { writeFile, rename } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { connectToCluster, lapsedExceptions, openCentral, watchCluster, type SensorEvent, type ShipperEvent } from '../../app/index.js';
import { policyGate, warnLapsed, type PolicySelectionFlags } from '../policy-gate.js';

export interface SensorCliOptions extends PolicySelectionFlags {
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly inCluster?: boolean;
  readonly output: string;
  readonly debounce: string;
  readonly stateFile?: string;
  readonly quiet?: boolean;
  readonly central?: string;
  readonly cluster: string;
  readonly tokenFile?: string;
  readonly centralCa?: string;
  readonly maxBuffered: string;
}

const text = (event: SensorEvent | ShipperEvent): string => {
  switch (event.event) {
    case 'shipped':
      return event.batch === 'snapshot'
        ? `sent snapshot ${event.snapshotId}: ${event.objects} objects`
        : `sent changes ${event.snapshotId}#${event.sequence}: ${event.objects} objects`;
    case 'central-unreachable':
      return `WARNING central: ${event.message}; retrying in ${event.retryInMs} ms (${event.buffered} changes buffered)`;
    case 'resync':
      return `central: ${event.reason}`;
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
  const maxBuffered = Number(options.maxBuffered);
  if (!Number.isInteger(maxBuffered) || maxBuffered < 1) throw new UsageError('--max-buffered takes a positive whole number');
  if (options.central && !/^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/.test(options.cluster))
    throw new UsageError('--cluster must be a DNS label: lower-case letters, digits, dots and dashes');
  const client = options.central
    ? openCentral({
        url: options.central,
        tokenFile: options.tokenFile,
        caFile: options.centralCa,
        cwd: io.cwd,
        env: io.env,
        userAgent: `kubeward-sensor/${io.version}`,
      })
    : undefined;
  const set = await policyGate({ ...options, quiet: options.quiet ?? false }, io);
  warnLapsed(lapsedExceptions(set, io.now()), io);
  let writing = Promise.resolve();
  const sensor = watchCluster({
    cluster,
    set,
    now: io.now,
    debounceMs,
    ...(client ? { central: { client, cluster: options.cluster, sensorVersion: io.version, maxBuffered } } : {}),
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
  io.stderr(
    client
      ? `kubeward: sensor watching ${sensor.server}, streaming it to ${client.url} as cluster ${options.cluster}\n`
      : `kubeward: sensor watching ${sensor.server} with ${sensor.policies} DEPLOY-stage policies\n`,
  );
  try {
    await sensor.run(signal);
  } finally {
    await client?.close();
  }
  await writing;
  return 0;
};
