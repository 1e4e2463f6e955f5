import type { PackageRef } from '../model/index.js';
import { packageFromPurl, PurlError } from '../vulndb/index.js';

export interface SbomPackages {
  readonly format: 'CycloneDX' | 'SPDX' | 'Kubeward';
  readonly name: string;
  readonly packages: (PackageRef & { readonly purl: string })[];
  /** Purls that could not be read, with why. */
  readonly skipped: readonly { readonly purl: string; readonly reason: string }[];
  /** Components or packages that carry no purl at all. */
  readonly withoutPurl: number;
}

interface CycloneDxComponent {
  readonly purl?: unknown;
  readonly components?: readonly CycloneDxComponent[];
}

/**
 * The packages an existing SBOM lists, by their Package URLs: CycloneDX JSON (`components`,
 * nested ones included), SPDX 2.x JSON (`packages[].externalRefs` of type `purl`) or a Kubeward
 * image scan report (`kubeward image scan --format json`: `packages[].purl`), so an old report
 * can be matched against today's advisories.
 */
export const readSbom = (text: string, name: string): SbomPackages => {
  let document: Record<string, unknown>;
  try {
    document = JSON.parse(text.replace(/^\uFEFF/, '')) as Record<string, unknown>;
  } catch (error) {
    throw new PurlError(name, `not a JSON SBOM (${(error as Error).message})`);
  }
  const purls: string[] = [];
  let withoutPurl = 0;
  let format: SbomPackages['format'];
  if (document.bomFormat === 'CycloneDX') {
    format = 'CycloneDX';
    const walk = (components: readonly CycloneDxComponent[] | undefined): void => {
      for (const component of components ?? []) {
        if (typeof component.purl === 'string') purls.push(component.purl);
        else withoutPurl++;
        walk(component.components);
      }
    };
    walk(document.components as CycloneDxComponent[] | undefined);
  } else if (typeof document.spdxVersion === 'string') {
    format = 'SPDX';
    for (const pkg of (document.packages as { externalRefs?: { referenceType?: string; referenceLocator?: string }[] }[] | undefined) ?? []) {
      const purl = pkg.externalRefs?.find((ref) => ref.referenceType === 'purl')?.referenceLocator;
      if (purl) purls.push(purl);
      else withoutPurl++;
    }
  } else if (typeof document.schemaVersion === 'string' && typeof document.image === 'object' && document.image !== null && Array.isArray(document.packages)) {
    format = 'Kubeward';
    for (const pkg of document.packages as { purl?: unknown }[]) {
      if (typeof pkg?.purl === 'string') purls.push(pkg.purl);
      else withoutPurl++;
    }
  } else {
    throw new PurlError(name, 'neither a CycloneDX (bomFormat) nor an SPDX (spdxVersion) JSON document, nor a Kubeward image scan report');
  }
  const packages: SbomPackages['packages'] = [];
  const skipped: { purl: string; reason: string }[] = [];
  for (const purl of [...new Set(purls)]) {
    try {
      packages.push({ ...packageFromPurl(purl), purl });
    } catch (error) {
      skipped.push({ purl, reason: (error as Error).message });
    }
  }
  return { format, name, packages, skipped, withoutPurl };
};
