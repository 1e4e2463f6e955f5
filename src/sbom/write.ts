import { createHash } from 'node:crypto';
import * as CDX from '@cyclonedx/cyclonedx-library';
import type { ImageScan, InstalledPackage } from '../model/index.js';

export interface SbomOptions {
  /** When the document is made (it says so). */
  readonly now: Date;
  readonly toolVersion: string;
}

/** A stable id for a package within one document. */
const refOf = (pkg: InstalledPackage, index: number): string => `${pkg.purl}#${index}`;

/** A UUID made from the image digest and the time, so the same scan names its document the same way. */
const uuidFrom = (seed: string): string => {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((Number.parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
};

const imageName = (scan: ImageScan): string => scan.image.source.replace(/^(oci|oci-archive|docker-archive):/, '');

/**
 * CycloneDX 1.6 JSON, through the CycloneDX project's own library: the image as the metadata
 * component, every package as a library (the OS as an operating-system component), with purl,
 * licenses and Kubeward properties (cataloger, path, layer).
 */
export const renderCycloneDx = (scan: ImageScan, options: SbomOptions): string => {
  const bom = new CDX.Models.Bom();
  bom.serialNumber = `urn:uuid:${uuidFrom(`${scan.image.digest}|${options.now.toISOString()}`)}`;
  bom.metadata.timestamp = options.now;
  bom.metadata.tools.components.add(
    new CDX.Models.Component(CDX.Enums.ComponentType.Application, 'kubeward', { version: options.toolVersion, group: 'kubeward.io' }),
  );
  const image = new CDX.Models.Component(CDX.Enums.ComponentType.Container, imageName(scan), {
    version: scan.image.digest,
    bomRef: `image:${scan.image.digest}`,
  });
  bom.metadata.component = image;
  if (scan.os) {
    bom.components.add(
      new CDX.Models.Component(CDX.Enums.ComponentType.OperatingSystem, scan.os.id, {
        ...(scan.os.versionId ? { version: scan.os.versionId } : {}),
        bomRef: `os:${scan.os.id}`,
        description: scan.os.prettyName ?? '',
      }),
    );
  }
  scan.packages.forEach((pkg, index) => {
    const component = new CDX.Models.Component(CDX.Enums.ComponentType.Library, pkg.name, { version: pkg.version, bomRef: refOf(pkg, index) });
    component.purl = pkg.purl;
    for (const license of pkg.licenses ?? []) {
      component.licenses.add(CDX.SPDX.isSupportedSpdxId(license) ? new CDX.Models.SpdxLicense(license) : new CDX.Models.NamedLicense(license));
    }
    component.properties.add(new CDX.Models.Property('kubeward:cataloger', pkg.cataloger));
    component.properties.add(new CDX.Models.Property('kubeward:path', pkg.path));
    if (pkg.layer) component.properties.add(new CDX.Models.Property('kubeward:layer', pkg.layer));
    if (pkg.sourceName) component.properties.add(new CDX.Models.Property('kubeward:source-package', pkg.sourceName));
    bom.components.add(component);
  });
  const serializer = new CDX.Serialize.JsonSerializer(new CDX.Serialize.JSON.Normalize.Factory(CDX.Spec.Spec1dot6));
  return `${serializer.serialize(bom, { sortLists: false, space: 2 })}\n`;
};

/** SPDX license expressions are a small grammar; anything else is declared NOASSERTION. */
const SPDX_EXPRESSION = /^\(?[A-Za-z0-9.+-]+(?:\s+(?:AND|OR|WITH)\s+\(?[A-Za-z0-9.+-]+\)?)*\)?$/;

const spdxId = (text: string): string => text.replace(/[^A-Za-z0-9.-]/g, '-');

/**
 * SPDX 2.3 JSON: the image as the described package, every package with a purl external
 * reference, `CONTAINS` relationships from the image to each.
 */
export const renderSpdx = (scan: ImageScan, options: SbomOptions): string => {
  const name = imageName(scan);
  const imageId = 'SPDXRef-Image';
  const packages = scan.packages.map((pkg, index) => ({
    SPDXID: `SPDXRef-Package-${spdxId(pkg.cataloger)}-${index + 1}`,
    name: pkg.name,
    versionInfo: pkg.version,
    downloadLocation: 'NOASSERTION',
    filesAnalyzed: false,
    licenseConcluded: 'NOASSERTION',
    licenseDeclared: pkg.licenses?.length === 1 && SPDX_EXPRESSION.test(pkg.licenses[0] as string) ? (pkg.licenses[0] as string) : 'NOASSERTION',
    copyrightText: 'NOASSERTION',
    ...(pkg.sourceName ? { sourceInfo: `built from ${pkg.sourceName} ${pkg.sourceVersion ?? ''}`.trim() } : {}),
    externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: pkg.purl }],
    comment: `found by ${pkg.cataloger} in ${pkg.path}${pkg.layer ? ` (layer ${pkg.layer})` : ''}`,
  }));
  const document = {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name,
    documentNamespace: `https://kubeward.io/spdx/${encodeURIComponent(name)}-${uuidFrom(`${scan.image.digest}|${options.now.toISOString()}`)}`,
    creationInfo: { created: `${options.now.toISOString().slice(0, 19)}Z`, creators: [`Tool: kubeward-${options.toolVersion}`] },
    packages: [
      {
        SPDXID: imageId,
        name,
        versionInfo: scan.image.digest,
        downloadLocation: 'NOASSERTION',
        filesAnalyzed: false,
        licenseConcluded: 'NOASSERTION',
        licenseDeclared: 'NOASSERTION',
        copyrightText: 'NOASSERTION',
        primaryPackagePurpose: 'CONTAINER',
        ...(scan.os ? { comment: `operating system: ${scan.os.prettyName ?? `${scan.os.id} ${scan.os.versionId ?? ''}`}` } : {}),
      },
      ...packages,
    ],
    relationships: [
      { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: imageId },
      ...packages.map((pkg) => ({ spdxElementId: imageId, relationshipType: 'CONTAINS', relatedSpdxElement: pkg.SPDXID })),
    ],
  };
  return `${JSON.stringify(document, null, 2)}\n`;
};
