import { apkCataloger } from './apk.js';
import { cargoAuditableCataloger } from './cargo-auditable.js';
import { dpkgCataloger } from './dpkg.js';
import { goBinaryCataloger } from './go-binary.js';
import { javaCataloger } from './java.js';
import { lockfileCataloger } from './lockfiles.js';
import { npmCataloger } from './npm.js';
import { pythonCataloger } from './python.js';
import { rpmCataloger } from './rpm/index.js';
import type { Cataloger } from './types.js';

export type { Cataloger, CatalogHelpers, FileView, PackageDraft } from './types.js';

/** Every cataloger, in the order their packages are listed. */
export const CATALOGERS: readonly Cataloger[] = [
  dpkgCataloger,
  apkCataloger,
  rpmCataloger,
  npmCataloger,
  pythonCataloger,
  javaCataloger,
  goBinaryCataloger,
  cargoAuditableCataloger,
  lockfileCataloger,
];
