import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { connectToCentral, type CentralClient } from '../central-client/index.js';
import { KnownError } from './errors.js';

export interface CentralAddress {
  readonly url: string;
  /** A file holding the token (a mounted Secret); else $KUBEWARD_TOKEN. */
  readonly tokenFile?: string | undefined;
  readonly caFile?: string | undefined;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly userAgent: string;
  readonly timeoutMs?: number | undefined;
}

/** A client for central, its token read from a file or the environment, checked to be there. */
export const openCentral = (address: CentralAddress): CentralClient => {
  let token: string | undefined;
  if (address.tokenFile) {
    try {
      token = readFileSync(resolve(address.cwd, address.tokenFile), 'utf8').trim();
    } catch (error) {
      throw new KnownError(`cannot read the token file: ${(error as Error).message}`, 'give --token-file <file> holding a token from POST /api/v1/tokens');
    }
  } else token = address.env.KUBEWARD_TOKEN?.trim();
  if (!token) throw new KnownError('no token for central', 'give --token-file <file>, or set KUBEWARD_TOKEN');
  if (!/^https?:\/\/[^\s/]+/.test(address.url)) throw new KnownError(`not a central URL: ${address.url}`, 'give --central https://central.example:8443');
  return connectToCentral({
    url: address.url,
    token,
    caFile: address.caFile ? resolve(address.cwd, address.caFile) : undefined,
    userAgent: address.userAgent,
    timeoutMs: address.timeoutMs,
  });
};
