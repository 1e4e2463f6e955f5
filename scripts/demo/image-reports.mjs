// Makes the demo's image scan reports in examples/images/ (gzipped `image scan --format json`): real scans of the test images (Debian 12
// built with mmdebstrap, and the application image on it) matched against the shared OSV data,
// each named as the demo manifests name the image it stands for. Run after `npm run build`, as
// root with mmdebstrap and umoci (the image tests' needs); commit what it writes.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appImage, bookwormImage } from '../../dist/test/support/images.js';
import { repoPath, sharedDataPath } from '../../dist/test/support/repo.js';

const kubeward = (args) => execFileSync(process.execPath, [repoPath('dist/src/cli/bin.js'), ...args], { maxBuffer: 512 * 1024 * 1024 }).toString();
const work = mkdtempSync(join(tmpdir(), 'kubeward-demo-images-'));
try {
  const db = join(work, 'db');
  kubeward(['db', 'import', '--db', db, ...['Debian', 'Maven', 'npm'].map((ecosystem) => sharedDataPath('osv', ecosystem, 'all.zip'))]);
  const images = [
    { reference: (await appImage()).reference, name: 'registry.example.com/shop/checkout-api:latest', file: 'checkout-api.json.gz' },
    { reference: `oci:${(await bookwormImage()).layout}:bookworm`, name: 'postgres:16.2-bookworm', file: 'postgres.json.gz' },
  ];
  for (const image of images) {
    const report = JSON.parse(kubeward(['image', 'scan', image.reference, '--db', db, '--format', 'json', '--quiet', '--no-cache']));
    // The report names where it was read (a path in this machine's cache): name it as the demo does.
    report.image.source = image.name;
    for (const entry of report.packages) if (typeof entry.path === 'string') entry.path = entry.path.replace(/^.*?\/rootfs\//, '/');
    // Compressed: smaller in the repository, and not read as manifests by `kubeward scan examples/`.
    writeFileSync(repoPath('examples', 'images', image.file), gzipSync(`${JSON.stringify(report)}\n`, { level: 9 }));
    console.log(`${image.file}: ${report.packages.length} packages, ${report.vulnerabilities.length} vulnerabilities`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
