import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { KnownError, reportKind, type PushKind } from '../../app/index.js';
import { EXIT, UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { pushTo, type PushFlags } from '../push.js';

export interface PushCliOptions extends Omit<PushFlags, 'push'> {
  readonly central?: string;
  readonly kind?: PushKind;
}

/** `kubeward push <report.json>`: a JSON report made earlier (scan, image scan, image check) to central. */
export const runPush = async (file: string, options: PushCliOptions, io: Io): Promise<number> => {
  const url = options.central ?? io.env.KUBEWARD_CENTRAL;
  if (!url) throw new UsageError('push needs central: give --central <url> or set KUBEWARD_CENTRAL');
  let text: string;
  try {
    if (file === '-') {
      const chunks: Buffer[] = [];
      for await (const chunk of io.readStdin()) chunks.push(Buffer.from(chunk));
      text = Buffer.concat(chunks).toString('utf8');
    } else text = await readFile(resolve(io.cwd, file), 'utf8');
  } catch (error) {
    throw new KnownError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let report: unknown;
  try {
    report = JSON.parse(text);
  } catch (error) {
    throw new KnownError(`${file} is not JSON: ${(error as Error).message}`, 'push the report --format json writes');
  }
  const kind = options.kind ?? reportKind(report);
  if (!kind)
    throw new KnownError(
      `${file} is not a kubeward JSON report`,
      'push what kubeward scan, image scan or image check write with --format json; or give --kind',
    );
  await pushTo(url, options, kind, report, io);
  return EXIT.clean;
};
