import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openOciLayout } from './oci-layout.js';
import { ImageSourceError, type Platform, type ResolvedImage } from './types.js';

export { formatPlatform, hostPlatform, parsePlatform } from './resolve.js';
export { ImageSourceError, type Platform, type ResolvedImage } from './types.js';

/**
 * Opens what a user names as an image:
 * - `oci:<dir>[:<tag>]`, or a directory holding `oci-layout`: an OCI image layout.
 */
export const openImage = async (reference: string, options: { readonly cwd: string; readonly platform: Platform }): Promise<ResolvedImage> => {
  const prefixed = /^oci:(.+?)(?::([^/:]+))?$/.exec(reference);
  if (prefixed) return openOciLayout(resolve(options.cwd, prefixed[1] as string), prefixed[2], options.platform, reference);
  const path = resolve(options.cwd, reference);
  if (existsSync(join(path, 'oci-layout')) && statSync(path).isDirectory()) return openOciLayout(path, undefined, options.platform, reference);
  if (existsSync(path)) throw new ImageSourceError(`${reference} is not an OCI image layout (no oci-layout file)`, 'give an OCI layout directory, or oci:<dir>:<tag>');
  throw new ImageSourceError(`${reference}: no such image source`, 'give an OCI layout directory, or oci:<dir>:<tag>');
};
