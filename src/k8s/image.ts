import type { ImageName } from '../model/index.js';

const DEFAULT_REGISTRY = 'docker.io';

/**
 * Splits an image reference as the Docker reference grammar does: the first component is a
 * registry when it holds a `.` or `:` or is `localhost`; Docker Hub names without a namespace
 * live under `library/`.
 */
export const parseImageName = (reference: string): ImageName => {
  const full = reference.trim();
  let rest = full;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  let registry = DEFAULT_REGISTRY;
  const slash = rest.indexOf('/');
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  if (slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first === 'index.docker.io' ? DEFAULT_REGISTRY : first;
    rest = rest.slice(slash + 1);
  }
  const remote = registry === DEFAULT_REGISTRY && !rest.includes('/') ? `library/${rest}` : rest;
  return {
    full,
    registry,
    remote,
    ...(tag === undefined ? {} : { tag }),
    ...(digest === undefined ? {} : { digest }),
  };
};

/** The reference spelled out in full (`nginx:1` → `docker.io/library/nginx:1`), so prefixes compare however the image was written. */
export const canonicalImageName = (image: ImageName): string =>
  `${image.registry}/${image.remote}${image.tag === undefined ? '' : `:${image.tag}`}${image.digest === undefined ? '' : `@${image.digest}`}`;
