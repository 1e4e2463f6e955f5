import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePlatform, selectManifest } from './resolve.js';
import type { Descriptor } from './types.js';

const manifest = (tag: string): Buffer =>
  Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${tag.padEnd(64, '0')}`, size: 2 },
      layers: [],
    }),
  );

/** An index as registries serve them: entries by platform, plus an attestation (`unknown/unknown`). */
const index = (platforms: readonly (Descriptor['platform'] & object)[]) => {
  const entries = platforms.map((platform, position) => ({
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: `sha256:${String(position + 1).padEnd(64, 'a')}`,
    size: 100,
    platform,
  }));
  entries.push({
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: `sha256:${'f'.repeat(64)}`,
    size: 100,
    platform: { os: 'unknown', architecture: 'unknown' },
  });
  return {
    data: Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: entries })),
    digest: `sha256:${'e'.repeat(64)}`,
  };
};

describe('picking the image for a platform from an index', () => {
  const offered = index([
    { os: 'linux', architecture: 'amd64' },
    { os: 'linux', architecture: 'arm64' },
    { os: 'linux', architecture: 'arm', variant: 'v7' },
  ]);
  const fetch = async (descriptor: Descriptor): Promise<Buffer> => manifest(descriptor.digest.slice(7, 8));
  const cases: [string, string | RegExp][] = [
    ['linux/amd64', 'sha256:1'],
    ['linux/arm64/v8', 'sha256:2'],
    ['linux/arm64', 'sha256:2'],
    ['linux/arm/v7', 'sha256:3'],
    ['linux/arm/v6', /has no image for linux\/arm\/v6 \(it has linux\/amd64, linux\/arm64, linux\/arm\/v7\)/],
    ['linux/s390x', /has no image for linux\/s390x/],
  ];
  for (const [platform, expected] of cases) {
    it(`${platform} → ${String(expected)}`, async () => {
      const picked = selectManifest(offered, fetch, parsePlatform(platform), 'test');
      if (typeof expected === 'string') assert.ok((await picked).digest.startsWith(expected), (await picked).digest);
      else await assert.rejects(picked, expected);
    });
  }
});
