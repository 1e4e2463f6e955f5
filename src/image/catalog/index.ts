import { apkCataloger } from './apk.js';
import { dpkgCataloger } from './dpkg.js';
import type { Cataloger } from './types.js';

export type { Cataloger, FileView, PackageDraft } from './types.js';

/** Every cataloger, in the order their packages are listed. */
export const CATALOGERS: readonly Cataloger[] = [dpkgCataloger, apkCataloger];
