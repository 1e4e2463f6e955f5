import { openCentral, pushMetadata, pushReport, type PushedReport, type PushKind } from '../app/index.js';
import type { Io } from './io.js';

/** The flags `withPush` declares. */
export interface PushFlags {
  readonly push?: string;
  readonly tokenFile?: string;
  readonly centralCa?: string;
  readonly repository?: string;
  readonly commit?: string;
  readonly branch?: string;
  readonly pipeline?: string;
  readonly pipelineUrl?: string;
}

/** Sends a report to central and says so on stderr; a push that fails is an error (exit 2), never silent. */
export const pushTo = async (url: string, flags: PushFlags, kind: PushKind, report: unknown, io: Io): Promise<PushedReport> => {
  const metadata = pushMetadata(
    { repository: flags.repository, commit: flags.commit, branch: flags.branch, pipeline: flags.pipeline, url: flags.pipelineUrl },
    io.env,
    io.cwd,
  );
  const client = openCentral({ url, tokenFile: flags.tokenFile, caFile: flags.centralCa, cwd: io.cwd, env: io.env, userAgent: `kubeward/${io.version}` });
  try {
    const pushed = await pushReport(client, kind, report, metadata);
    io.stderr(`kubeward: pushed the ${kind} report to ${client.url} as ${pushed.id} (${metadata.repository} @ ${metadata.commit.slice(0, 12)})\n`);
    return pushed;
  } finally {
    await client.close();
  }
};
