export { ImageScanCache } from './cache.js';
export type { CachedImageScan, ImageScanStore } from './scan-store.js';
export { CATALOGERS, type Cataloger } from './catalog/index.js';
export { DEFAULT_IMAGE_LIMITS, imageMetadata, scanDirectory, scanImage, type ImageScanLimits, type ImageScanOptions } from './scan.js';
export {
  formatPlatform,
  hostPlatform,
  ImageSourceError,
  openImage,
  parsePlatform,
  type Platform,
  type RegistryCredentials,
  type RegistryOptions,
  type ResolvedImage,
} from './sources/index.js';
