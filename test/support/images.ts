import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Bump when the recipe changes: cached images from an older recipe are rebuilt. */
const RECIPE = 'bookworm-v2';

export const hasImageTools = ((): boolean => {
  try {
    for (const tool of ['mmdebstrap', 'umoci', 'skopeo']) execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return process.getuid?.() === 0;
  } catch {
    return false;
  }
})();

/** Outside the clone, so CI runs and sessions reuse images instead of rebuilding them. */
export const imageCache = (): string => process.env.KUBEWARD_TEST_IMAGE_CACHE ?? join(homedir(), '.cache', 'kubeward-test-images');

const run = (command: string, args: readonly string[], cwd?: string): void => {
  execFileSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], ...(cwd ? { cwd } : {}), maxBuffer: 64 * 1024 * 1024 });
};

export interface BuiltImage {
  /** OCI layout with the image tagged `bookworm`. */
  readonly layout: string;
  /** The root filesystem of layer 1, for oracles (`dpkg-query --admindir`). */
  readonly rootfs: string;
}

/**
 * A real Debian 12 image, built without Docker: `mmdebstrap` makes a minbase root filesystem from
 * bookworm main only (no security updates, so its vulnerabilities are the ones the Debian 12
 * advisories list), `umoci` packs it as layer 1. Layer 2 deletes `/usr/share/doc` (a whiteout)
 * and adds `/app`.
 */
export const bookwormImage = async (): Promise<BuiltImage> => {
  const root = join(imageCache(), RECIPE);
  const layout = join(root, 'layout');
  const rootfs = join(root, 'rootfs');
  if (existsSync(join(root, 'done'))) return { layout, rootfs };
  await rm(root, { recursive: true, force: true });
  const work = `${root}.building`;
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  run('mmdebstrap', ['--variant=minbase', '--mode=root', '--format=directory', '--quiet', 'bookworm', join(work, 'rootfs'), 'http://deb.debian.org/debian']);
  run('umoci', ['init', '--layout', join(work, 'layout')]);
  run('umoci', ['new', '--image', `${join(work, 'layout')}:bookworm`]);
  run('umoci', ['unpack', '--rootless', '--image', `${join(work, 'layout')}:bookworm`, join(work, 'bundle')]);
  run('cp', ['-a', `${join(work, 'rootfs')}/.`, join(work, 'bundle', 'rootfs')]);
  // --refresh-bundle: the next repack then diffs against this layer, and makes a second one.
  run('umoci', ['repack', '--refresh-bundle', '--image', `${join(work, 'layout')}:bookworm`, join(work, 'bundle')]);
  await rm(join(work, 'bundle', 'rootfs', 'usr', 'share', 'doc'), { recursive: true, force: true });
  await mkdir(join(work, 'bundle', 'rootfs', 'app'), { recursive: true });
  await writeFile(join(work, 'bundle', 'rootfs', 'app', 'hello.txt'), 'hello\n');
  run('umoci', ['repack', '--image', `${join(work, 'layout')}:bookworm`, join(work, 'bundle')]);
  await rm(join(work, 'bundle'), { recursive: true, force: true });
  await writeFile(join(work, 'done'), `${new Date().toISOString()}\n`);
  await rename(work, root);
  return { layout, rootfs };
};

export interface ConvertedImages {
  readonly dockerArchive: string;
  readonly ociArchive: string;
  /** The same image with zstd-compressed layers, as an OCI layout. */
  readonly zstdLayout: string;
}

/** The bookworm image converted by skopeo: docker-archive, OCI archive, zstd layers. Cached beside it. */
export const convertedBookworm = async (): Promise<ConvertedImages> => {
  const { layout } = await bookwormImage();
  const root = join(imageCache(), `${RECIPE}-converted`);
  const images = { dockerArchive: join(root, 'docker.tar'), ociArchive: join(root, 'oci.tar'), zstdLayout: join(root, 'zstd') };
  if (existsSync(join(root, 'done'))) return images;
  await rm(root, { recursive: true, force: true });
  await mkdir(root, { recursive: true });
  const from = `oci:${layout}:bookworm`;
  run('skopeo', ['copy', '--quiet', from, `docker-archive:${images.dockerArchive}:bookworm:latest`]);
  run('skopeo', ['copy', '--quiet', from, `oci-archive:${images.ociArchive}:bookworm`]);
  run('skopeo', ['copy', '--quiet', '--dest-compress-format', 'zstd', from, `oci:${images.zstdLayout}:bookworm`]);
  await writeFile(join(root, 'done'), `${new Date().toISOString()}\n`);
  return images;
};
