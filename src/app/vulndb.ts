import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { DATABASE_FILE, DatabaseError, VulnerabilityDatabase } from '../vulndb/store/index.js';
import { KnownError } from './errors.js';

/** Where the vulnerability database lives: the caller's choice, $KUBEWARD_DB, else $XDG_DATA_HOME/kubeward/db. */
export const databaseDirectory = (chosen: string | undefined, env: Readonly<Record<string, string | undefined>>, cwd: string): string => {
  const directory = chosen ?? env.KUBEWARD_DB;
  if (directory) return resolve(cwd, directory);
  const dataHome = env.XDG_DATA_HOME || join(env.HOME || homedir(), '.local', 'share');
  return join(dataHome, 'kubeward', 'db');
};

/**
 * Opens the database of a directory for matching. A missing or unusable one is a KnownError
 * whose hint says how to get one and, when the job can run without it, how (`without`).
 */
export const openVulnDb = (directory: string, without?: string): VulnerabilityDatabase => {
  try {
    return VulnerabilityDatabase.open(join(directory, DATABASE_FILE));
  } catch (error) {
    if (error instanceof DatabaseError) throw new KnownError(error.message, [error.hint, without].filter(Boolean).join('; ') || undefined);
    throw error;
  }
};
