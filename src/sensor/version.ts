import { VersionApi, type KubeConfig } from '@kubernetes/client-node';

/** The API server's version (`v1.34.1`), or undefined when it will not say. */
export const serverVersion = async (config: KubeConfig): Promise<string | undefined> => {
  try {
    return (await config.makeApiClient(VersionApi).getCode()).gitVersion;
  } catch {
    return undefined;
  }
};
