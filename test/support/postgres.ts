import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A PostgreSQL cluster of its own, in a temporary directory, on 127.0.0.1 and a free port. */
export interface ThrowawayPostgres {
  /** A connection URL for a fresh database of that name (created on first ask). */
  readonly database: (name: string) => Promise<string>;
  readonly port: number;
  /** Stops the server and starts it again on the same port and data (the reliability tests), running `whileDown` in between. */
  readonly restart: (whileDown?: () => Promise<void>) => Promise<void>;
  readonly stop: () => Promise<void>;
}

/** Debian's newest installed PostgreSQL: `/usr/lib/postgresql/<major>/bin`. */
const postgresBin = (): string => {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).filter((entry) => existsSync(join(root, entry, 'bin', 'initdb'))) : [];
  const newest = majors.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error('PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): apt-get install postgresql (.ci/run does)');
  return join(root, newest, 'bin');
};

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });

/** PostgreSQL refuses to run as root: as root, run its tools as the `postgres` user Debian creates. */
const asPostgres = (command: string, args: string[]): Promise<{ stdout: string }> =>
  process.getuid?.() === 0 ? run('runuser', ['-u', 'postgres', '--', command, ...args]) : run(command, args);

/**
 * initdb + pg_ctl in a temporary directory: trust authentication on 127.0.0.1 only, fsync off
 * (a throwaway cluster need not survive a power cut), a socket in its own directory.
 */
export const startPostgres = async (): Promise<ThrowawayPostgres> => {
  const bin = postgresBin();
  const directory = await mkdtemp(join(tmpdir(), 'kubeward-pg-'));
  if (process.getuid?.() === 0) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: group } = await run('id', ['-g', 'postgres']);
    await chown(directory, Number(stdout.trim()), Number(group.trim()));
  }
  const data = join(directory, 'data');
  await asPostgres(join(bin, 'initdb'), ['-D', data, '-U', 'kubeward', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--locale=C']);
  const port = await freePort();
  const options = `-p ${port} -k ${directory} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  const start = async (): Promise<void> => {
    try {
      await asPostgres(join(bin, 'pg_ctl'), ['-D', data, '-o', options, '-l', join(directory, 'server.log'), '-w', '-t', '60', 'start']);
    } catch (error) {
      const log = await readFile(join(directory, 'server.log'), 'utf8').catch(() => '');
      throw new Error(`PostgreSQL did not start: ${(error as Error).message}\n${log.slice(-2000)}`, { cause: error });
    }
  };
  const stopServer = (): Promise<unknown> => asPostgres(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
  await start();
  const created = new Set<string>();
  return {
    port,
    database: async (name) => {
      if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`database name ${name} is not a plain identifier`);
      if (!created.has(name)) {
        await run(join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'kubeward', name]);
        created.add(name);
      }
      return `postgres://kubeward@127.0.0.1:${port}/${name}`;
    },
    restart: async (whileDown) => {
      await stopServer();
      await whileDown?.();
      await start();
    },
    stop: async () => {
      await stopServer().catch(() => undefined);
      await rm(directory, { recursive: true, force: true });
    },
  };
};
