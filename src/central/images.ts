import type { ImageScan, VulnerabilityMatch } from '../model/index.js';
import type { ScannedImage } from '../risk/index.js';
import type { CentralStore, ImageRecord } from './store/index.js';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** An `image scan --format json` report read back as the scan it renders; undefined when it is not one. */
export const scanFromReport = (report: unknown): ImageScan | undefined => {
  if (!isRecord(report) || !isRecord(report.image) || typeof report.image.digest !== 'string') return undefined;
  if (!Array.isArray(report.packages) || !Array.isArray(report.vulnerabilities)) return undefined;
  return {
    image: report.image as unknown as ImageScan['image'],
    ...(isRecord(report.os) ? { os: report.os as unknown as NonNullable<ImageScan['os']> } : {}),
    packages: report.packages as ImageScan['packages'],
    vulnerabilities: report.vulnerabilities as ImageScan['vulnerabilities'],
    problems: Array.isArray(report.problems) ? (report.problems as ImageScan['problems']) : [],
  };
};

const count = (matches: readonly VulnerabilityMatch[], severity: string): number => matches.filter((match) => match.severity === severity).length;

/** What central keeps in the columns of a scan: its counts, by severity and fixable. */
export const imageSummary = (scan: ImageScan): Pick<ImageRecord, 'packages' | 'vulnerabilities' | 'os'> => ({
  packages: scan.packages.length,
  vulnerabilities: {
    total: scan.vulnerabilities.length,
    critical: count(scan.vulnerabilities, 'CRITICAL'),
    high: count(scan.vulnerabilities, 'HIGH'),
    medium: count(scan.vulnerabilities, 'MEDIUM'),
    low: count(scan.vulnerabilities, 'LOW'),
    fixable: scan.vulnerabilities.filter((match) => match.fixedVersions.length > 0).length,
  },
  ...(scan.os ? { os: scan.os.prettyName ?? `${scan.os.id} ${scan.os.versionId ?? ''}`.trim() } : {}),
});

/**
 * The image scans central holds, as the risk pipeline takes them (one entry per name that stands
 * for a digest). Reports are read from the store once per digest and scan time, then kept.
 */
export const createImageCatalogue = (store: CentralStore) => {
  const parsed = new Map<string, { readonly scannedAt: string; readonly scan: ImageScan }>();
  return {
    images: async (): Promise<readonly ScannedImage[]> => {
      const index = await store.imageIndex();
      const out: ScannedImage[] = [];
      for (const entry of index) {
        let kept = parsed.get(entry.digest);
        if (!kept || kept.scannedAt !== entry.scannedAt) {
          const scan = scanFromReport((await store.getImage(entry.digest))?.report);
          if (!scan) continue;
          kept = { scannedAt: entry.scannedAt, scan };
          parsed.set(entry.digest, kept);
        }
        for (const name of entry.names) out.push({ name, scan: kept.scan });
      }
      return out;
    },
    /** Keeps a scan under a name (the reference it was scanned by). */
    put: (name: string, scan: ImageScan, source: ImageRecord['source'], at: Date, report: unknown): Promise<ImageRecord> =>
      store.putImageScan({ digest: scan.image.digest, name, source, scannedAt: at.toISOString(), ...imageSummary(scan), report }),
  };
};

export type ImageCatalogue = ReturnType<typeof createImageCatalogue>;
