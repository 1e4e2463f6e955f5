import { ImageSourceError, MEDIA_TYPES, type Descriptor, type ImageConfig, type ImageIndex, type ImageManifest, type Platform } from './types.js';

/** `linux/amd64`, `linux/arm64/v8` → a platform. */
export const parsePlatform = (text: string): Platform => {
  const [os, architecture, variant] = text.split('/');
  if (!os || !architecture) throw new ImageSourceError(`invalid platform ${JSON.stringify(text)}`, 'write it as os/architecture[/variant], e.g. linux/amd64');
  return { os, architecture, ...(variant ? { variant } : {}) };
};

export const formatPlatform = (platform: Platform): string => `${platform.os}/${platform.architecture}${platform.variant ? `/${platform.variant}` : ''}`;

/** The platform this process runs on, as images name it. */
export const hostPlatform = (arch: string): Platform => ({
  os: 'linux',
  architecture: ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[arch] ?? arch,
});

const isIndex = (mediaType: string | undefined, value: Record<string, unknown>): boolean =>
  mediaType === MEDIA_TYPES.ociIndex ||
  mediaType === MEDIA_TYPES.dockerList ||
  (mediaType === undefined && Array.isArray(value.manifests) && value.config === undefined);

/**
 * A JSON parse error without the text it quotes: V8 names the offending token and an excerpt
 * (`Unexpected token 'r', "root:x:0:0:"... is not valid JSON`), and a hostile layout may link
 * its index to a host file whose first bytes must not reach the user's terminal or CI log.
 */
export const jsonErrorWithoutContent = (error: unknown): string => {
  const message = (error as Error).message ?? '';
  const position = /position (\d+)/.exec(message)?.[1];
  if (/Unexpected end of JSON input/.test(message)) return 'it ends too early';
  return position === undefined ? 'unexpected content' : `unexpected content at byte ${position}`;
};

export const parseJson = (data: Buffer, what: string): Record<string, unknown> => {
  try {
    const value: unknown = JSON.parse(data.toString('utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch (error) {
    throw new ImageSourceError(
      `${what} is not valid JSON (${(error as Error).message.startsWith('not a') ? (error as Error).message : jsonErrorWithoutContent(error)})`,
    );
  }
};

const checkManifest = (value: Record<string, unknown>, what: string): ImageManifest => {
  const config = value.config as Descriptor | undefined;
  const layers = value.layers as Descriptor[] | undefined;
  if (
    !config ||
    typeof config.digest !== 'string' ||
    !Array.isArray(layers) ||
    layers.some((layer) => typeof layer?.digest !== 'string' || typeof layer.size !== 'number')
  ) {
    throw new ImageSourceError(`${what} is not an image manifest (needs config and layers with digests and sizes)`);
  }
  return value as unknown as ImageManifest;
};

/**
 * Follows an index to the manifest for the wanted platform (an exact match, then one without
 * a variant), or reads a manifest directly. `fetch` returns a descriptor's bytes, verified.
 */
export const selectManifest = async (
  top: { readonly data: Buffer; readonly digest: string; readonly mediaType?: string },
  fetch: (descriptor: Descriptor) => Promise<Buffer>,
  platform: Platform,
  what: string,
): Promise<{ manifest: ImageManifest; digest: string; mediaType: string; platform?: Platform }> => {
  let current = top;
  for (let depth = 0; depth < 4; depth++) {
    const value = parseJson(current.data, what);
    const mediaType = (value.mediaType as string | undefined) ?? current.mediaType;
    if (!isIndex(mediaType, value)) {
      return { manifest: checkManifest(value, what), digest: current.digest, mediaType: mediaType ?? MEDIA_TYPES.ociManifest };
    }
    const index = value as unknown as ImageIndex;
    const candidates = index.manifests.filter((descriptor) => descriptor.platform === undefined || descriptor.platform.os !== 'unknown');
    const sameArchitecture = (descriptor: Descriptor): boolean =>
      descriptor.platform?.os === platform.os && descriptor.platform.architecture === platform.architecture;
    const chosen =
      candidates.find((descriptor) => sameArchitecture(descriptor) && (platform.variant === undefined || descriptor.platform?.variant === platform.variant)) ??
      // `linux/arm64/v8` asked, `linux/arm64` offered: the same thing, spelled without the variant.
      (platform.variant === undefined
        ? undefined
        : candidates.find((descriptor) => sameArchitecture(descriptor) && descriptor.platform?.variant === undefined)) ??
      (candidates.length === 1 && candidates[0]?.platform === undefined ? candidates[0] : undefined);
    if (!chosen) {
      const offered = candidates.map((descriptor) => (descriptor.platform ? formatPlatform(descriptor.platform) : descriptor.digest)).join(', ');
      throw new ImageSourceError(`${what} has no image for ${formatPlatform(platform)} (it has ${offered || 'none'})`, 'choose one with --platform');
    }
    current = { data: await fetch(chosen), digest: chosen.digest, mediaType: chosen.mediaType };
    if (chosen.platform && !isIndex(chosen.mediaType, {})) {
      const value2 = parseJson(current.data, what);
      return {
        manifest: checkManifest(value2, what),
        digest: chosen.digest,
        mediaType: (value2.mediaType as string | undefined) ?? chosen.mediaType,
        platform: chosen.platform,
      };
    }
  }
  throw new ImageSourceError(`${what}: indexes nested too deeply`);
};

export const parseConfig = (data: Buffer, what: string): ImageConfig => parseJson(data, what) as ImageConfig;
