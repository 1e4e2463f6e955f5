import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { tarOf, writeOciLayout } from './support/oci.js';
import { convertedBookworm, hasImageTools } from './support/images.js';
import { kubeward } from './support/cli.js';
import { cycloneDxValidator, spdxValidator } from './support/schemas.js';
import { sharedDataPath, temporaryDirectory } from './support/repo.js';

interface CycloneDx {
  readonly specVersion: string;
  readonly metadata: { readonly component: { readonly type: string; readonly version: string } };
  readonly components: readonly { readonly type: string; readonly name: string; readonly version?: string; readonly purl?: string }[];
}

interface Spdx {
  readonly spdxVersion: string;
  readonly packages: readonly {
    readonly SPDXID: string;
    readonly name: string;
    readonly versionInfo: string;
    readonly externalRefs?: readonly { readonly referenceLocator: string }[];
  }[];
  readonly relationships: readonly { readonly relationshipType: string }[];
}

describe('SBOMs of a real image', { skip: !hasImageTools && 'needs mmdebstrap, umoci and skopeo, as root' }, () => {
  let archive: string;
  let packages: string[];
  before(async () => {
    archive = (await convertedBookworm()).ociArchive;
    const json = await kubeward(['image', 'scan', archive, '--no-vulnerabilities', '--format', 'json', '-q']);
    packages = (JSON.parse(json.stdout) as { packages: { purl: string }[] }).packages.map((pkg) => pkg.purl).sort();
    assert.ok(packages.length > 80);
  });

  it('writes CycloneDX 1.6 JSON that the official schema accepts, with every package', async () => {
    const result = await kubeward(['image', 'scan', archive, '--no-vulnerabilities', '--format', 'cyclonedx', '-q']);
    assert.equal(result.code, 0, result.stderr);
    const bom = JSON.parse(result.stdout) as CycloneDx;
    const validate = await cycloneDxValidator();
    assert.ok(validate(bom), JSON.stringify(validate.errors?.slice(0, 3)));
    assert.equal(validate({ ...bom, components: [{ type: 'gadget', name: 'x' }] }), false, 'the schema does refuse a bad BOM');
    assert.equal(bom.specVersion, '1.6');
    assert.equal(bom.metadata.component.type, 'container');
    assert.deepEqual(
      bom.components.filter((component) => component.type === 'operating-system').map((component) => `${component.name} ${component.version}`),
      ['debian 12'],
    );
    assert.deepEqual(bom.components.flatMap((component) => (component.purl ? [component.purl] : [])).sort(), packages);
  });

  it('writes SPDX 2.3 JSON that the official schema accepts, with every package', async () => {
    const result = await kubeward(['image', 'scan', archive, '--no-vulnerabilities', '--format', 'spdx-json', '-q']);
    assert.equal(result.code, 0, result.stderr);
    const document = JSON.parse(result.stdout) as Spdx;
    const validate = await spdxValidator();
    assert.ok(validate(document), JSON.stringify(validate.errors?.slice(0, 3)));
    assert.equal(validate({ ...document, packages: [{ name: 'x' }] }), false, 'the schema does refuse a package without SPDXID');
    assert.equal(document.spdxVersion, 'SPDX-2.3');
    assert.deepEqual(document.packages.flatMap((pkg) => pkg.externalRefs?.map((ref) => ref.referenceLocator) ?? []).sort(), packages);
    assert.equal(document.relationships.filter((relationship) => relationship.relationshipType === 'CONTAINS').length, packages.length);
  });

  it('kubeward sbom scan finds in either SBOM what the image scan finds', async () => {
    const directory = await temporaryDirectory();
    const db = join(directory, 'db');
    assert.equal((await kubeward(['db', 'import', '--db', db, sharedDataPath('osv/Debian/all.zip')])).code, 0);
    const direct = await kubeward(['image', 'scan', archive, '--db', db, '--format', 'json', '-q']);
    const expected = (JSON.parse(direct.stdout) as { vulnerabilities: { id: string; package: { name: string } }[] }).vulnerabilities
      .map((match) => `${match.id} ${match.package.name}`)
      .sort();
    assert.ok(expected.length > 20);
    for (const format of ['cyclonedx', 'spdx-json']) {
      const file = join(directory, `sbom.${format}.json`);
      assert.equal((await kubeward(['image', 'scan', archive, '--no-vulnerabilities', '--format', format, '-o', file, '-q'])).code, 0);
      const result = await kubeward(['sbom', 'scan', file, '--db', db, '--format', 'json']);
      assert.equal(result.code, 0, result.stderr);
      const found = (JSON.parse(result.stdout) as { vulnerabilities: { id: string; package: { name: string } }[] }).vulnerabilities
        .map((match) => `${match.id} ${match.package.name}`)
        .sort();
      assert.deepEqual(found, expected, format);
    }
    await writeFile(join(directory, 'other.json'), '{"hello": "world"}');
    const refused = await kubeward(['sbom', 'scan', join(directory, 'other.json'), '--db', db]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /neither a CycloneDX \(bomFormat\) nor an SPDX \(spdxVersion\) JSON document, nor a Kubeward image scan report/);
  });
});

/** Real Debian 12 paragraphs whose binary versions are not their source's (metapackages of postgresql-common, a binNMU). */
const STATUS = `Package: postgresql-client
Status: install ok installed
Priority: optional
Section: database
Installed-Size: 9
Maintainer: Debian PostgreSQL Maintainers <team+postgresql@tracker.debian.org>
Architecture: all
Source: postgresql-common (248+deb12u2)
Version: 15+248+deb12u2
Depends: postgresql-client-15
Description: front-end programs for PostgreSQL (supported version)
 This metapackage always depends on the currently supported database
 client package for PostgreSQL.

Package: postgresql
Status: install ok installed
Priority: optional
Section: database
Installed-Size: 9
Maintainer: Debian PostgreSQL Maintainers <team+postgresql@tracker.debian.org>
Architecture: all
Source: postgresql-common (248+deb12u1)
Version: 15+248+deb12u1
Depends: postgresql-15
Description: object-relational SQL database (supported version)

Package: perl
Status: install ok installed
Priority: standard
Section: perl
Installed-Size: 673
Maintainer: Niko Tyni <ntyni@debian.org>
Architecture: amd64
Source: perl (5.36.0-7+deb12u1)
Version: 5.36.0-7+deb12u1+b1
Description: Larry Wall's Practical Extraction and Report Language
`;

describe('SBOM round trip: image → SBOM → sbom scan', () => {
  it('finds exactly what the image scan finds, in every SBOM format, for binaries whose version is not their source version', async () => {
    const directory = await temporaryDirectory();
    const layout = join(directory, 'layout');
    const layer = await tarOf([
      { name: 'etc/os-release', content: 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n' },
      { name: 'var/lib/dpkg/status', content: STATUS },
    ]);
    await writeOciLayout(layout, [{ data: gzipSync(layer), mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' }]);
    const db = join(directory, 'db');
    assert.equal((await kubeward(['db', 'import', '--db', db, sharedDataPath('osv/Debian/all.zip')])).code, 0);
    const image = `oci:${layout}:test`;
    const direct = await kubeward(['image', 'scan', image, '--db', db, '--format', 'json', '-q']);
    assert.equal(direct.code, 0, direct.stderr);
    const report = JSON.parse(direct.stdout) as { packages: { name: string; purl: string }[]; vulnerabilities: { id: string; package: { name: string } }[] };
    const expected = report.vulnerabilities.map((match) => `${match.id} ${match.package.name}`).sort();
    // postgresql-common 248+deb12u2 fixes CVE-2026-6460 (DEBIAN-CVE-2026-6460); the binary's own version (15+248+deb12u2) sorts below the fix.
    assert.ok(expected.includes('CVE-2026-6460 postgresql'));
    assert.ok(!expected.includes('CVE-2026-6460 postgresql-client'));
    assert.ok(expected.some((entry) => entry.endsWith(' perl')));
    assert.deepEqual(report.packages.map((pkg) => pkg.purl).sort(), [
      'pkg:deb/debian/perl@5.36.0-7%2Bdeb12u1%2Bb1?arch=amd64&distro=debian-12&upstream=perl%405.36.0-7%2Bdeb12u1',
      'pkg:deb/debian/postgresql-client@15%2B248%2Bdeb12u2?arch=all&distro=debian-12&upstream=postgresql-common%40248%2Bdeb12u2',
      'pkg:deb/debian/postgresql@15%2B248%2Bdeb12u1?arch=all&distro=debian-12&upstream=postgresql-common%40248%2Bdeb12u1',
    ]);
    for (const format of ['cyclonedx', 'spdx-json', 'json']) {
      const file = join(directory, `sbom.${format}.json`);
      assert.equal((await kubeward(['image', 'scan', image, '--no-vulnerabilities', '--format', format, '-o', file, '-q'])).code, 0);
      const result = await kubeward(['sbom', 'scan', file, '--db', db, '--format', 'json']);
      assert.equal(result.code, 0, result.stderr);
      const found = (JSON.parse(result.stdout) as { vulnerabilities: { id: string; package: { name: string } }[] }).vulnerabilities
        .map((match) => `${match.id} ${match.package.name}`)
        .sort();
      assert.deepEqual(found, expected, format);
    }
  });
});
