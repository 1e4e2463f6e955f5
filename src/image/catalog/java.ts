import yauzl from 'yauzl';
import type { ImageProblem } from '../../model/index.js';
import { ZipGuard } from '../../zip/index.js';
import type { Cataloger, FileView, PackageDraft } from './types.js';

const ARCHIVE = /\.(jar|war|ear|jpi|hpi)$/i;
const MAX_DEPTH = 4;
/** Nested archives are read into memory: none larger than this. */
const MAX_NESTED_BYTES = 128 * 1024 * 1024;
/** An entry that expands far more than it is compressed is refused (a zip bomb). */
const MAX_RATIO = 200;
/** All entries of one archive on disk, nested archives included, inflate to no more than this (fat jars hold ~100 MB). */
export const MAX_ARCHIVE_INFLATED_BYTES = 512 * 1024 * 1024;

interface Artifact {
  readonly groupId: string;
  readonly artifactId: string;
  readonly version: string;
  /** Archive path, with `!` before each nested archive: `/app.war!WEB-INF/lib/x.jar`. */
  readonly location: string;
}

/** `key=value` lines of a properties file (no continuation lines in pom.properties). */
const parseProperties = (text: string): Record<string, string> =>
  Object.fromEntries(
    text
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#') && line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')).trim(), line.slice(line.indexOf('=') + 1).trim()]),
  );

/** MANIFEST.MF main section: `Key: value`, continuation lines start with one space. */
export const parseManifest = (text: string): Record<string, string> => {
  const fields: Record<string, string> = {};
  let last: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line === '') break;
    if (line.startsWith(' ') && last) fields[last] += line.slice(1);
    else {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      last = line.slice(0, colon);
      fields[last] = line.slice(colon + 1).trim();
    }
  }
  return fields;
};

const openZip = (data: Buffer): Promise<yauzl.ZipFile> =>
  new Promise((resolve, reject) =>
    yauzl.fromBuffer(data, { lazyEntries: true, validateEntrySizes: true }, (error, zipfile) => (error ? reject(error) : resolve(zipfile))),
  );

const readEntry = (zipfile: yauzl.ZipFile, entry: yauzl.Entry): Promise<Buffer> =>
  new Promise((resolve, reject) =>
    zipfile.openReadStream(entry, (error, stream) => {
      if (error) return reject(error);
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', reject);
      stream.on('end', () => resolve(Buffer.concat(chunks)));
    }),
  );

/**
 * The Maven artifacts of one Java archive and the archives nested in it (WEB-INF/lib, BOOT-INF/lib,
 * shaded jars): every `META-INF/maven/<group>/<artifact>/pom.properties`, and for an archive
 * without one, what its MANIFEST.MF says (Implementation-Vendor-Id and -Title, or the bundle's
 * symbolic name). Archives are read in memory, never extracted.
 */
export const readJavaArchive = async (
  data: Buffer,
  location: string,
  problems: ImageProblem[],
  path: string,
  depth = 0,
  guard: ZipGuard = new ZipGuard({ maxTotalBytes: MAX_ARCHIVE_INFLATED_BYTES }),
): Promise<Artifact[]> => {
  const artifacts: Artifact[] = [];
  let zipfile: yauzl.ZipFile;
  try {
    zipfile = await openZip(data);
  } catch (error) {
    problems.push({ code: 'catalog', path, message: `${location}: not a readable Java archive (${(error as Error).message})` });
    return artifacts;
  }
  let manifest: Record<string, string> | undefined;
  let stopped = false;
  const nested: Artifact[] = [];
  await new Promise<void>((resolve) => {
    zipfile.on('entry', (entry: yauzl.Entry) => {
      void (async () => {
        const name = entry.fileName;
        const tooLarge =
          entry.uncompressedSize > MAX_NESTED_BYTES ||
          (entry.compressedSize > 0 && entry.uncompressedSize / entry.compressedSize > MAX_RATIO && entry.uncompressedSize > 1024 * 1024);
        const wanted =
          /^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/.test(name) || name === 'META-INF/MANIFEST.MF' || (ARCHIVE.test(name) && depth < MAX_DEPTH);
        const refused = wanted && !tooLarge && !stopped ? guard.admit(entry) : undefined;
        try {
          if (refused) {
            problems.push({ code: 'too-large', path, message: `${location}!${name}: ${refused}` });
            // Past the budget nothing more of this archive is read; an overlapping entry only skips itself.
            if (!refused.startsWith('shares')) stopped = true;
          } else if (stopped || !wanted) {
            // skipped
          } else if (/^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/.test(name) && !tooLarge) {
            const properties = parseProperties((await readEntry(zipfile, entry)).toString('utf8'));
            if (properties.groupId && properties.artifactId && properties.version)
              artifacts.push({ groupId: properties.groupId, artifactId: properties.artifactId, version: properties.version, location });
          } else if (name === 'META-INF/MANIFEST.MF' && !tooLarge) {
            manifest = parseManifest((await readEntry(zipfile, entry)).toString('utf8'));
          } else if (ARCHIVE.test(name)) {
            if (tooLarge) problems.push({ code: 'too-large', path, message: `${location}!${name}: ${entry.uncompressedSize} bytes, not read` });
            // One nested archive in memory at a time: read, catalogued, released.
            else nested.push(...(await readJavaArchive(await readEntry(zipfile, entry), `${location}!${name}`, problems, path, depth + 1, guard.nested())));
          }
        } catch (error) {
          problems.push({ code: 'catalog', path, message: `${location}!${name}: ${(error as Error).message}` });
        }
        zipfile.readEntry();
      })();
    });
    zipfile.on('end', () => resolve());
    zipfile.on('error', (error: Error) => {
      problems.push({ code: 'catalog', path, message: `${location}: ${error.message}` });
      resolve();
    });
    zipfile.readEntry();
  });
  if (artifacts.length === 0 && manifest) {
    const fields: Record<string, string> = manifest;
    const groupId = fields['Implementation-Vendor-Id'] ?? fields['Bundle-SymbolicName']?.split(';')[0]?.replace(/\.[^.]+$/, '');
    const artifactId = fields['Implementation-Title'] ?? fields['Bundle-SymbolicName']?.split(';')[0]?.split('.').at(-1);
    const version = fields['Implementation-Version'] ?? fields['Bundle-Version'];
    if (groupId && artifactId && version) artifacts.push({ groupId, artifactId, version, location });
  }
  return [...artifacts, ...nested];
};

/** Java archives (jar, war, ear, Jenkins hpi/jpi) anywhere in the image, nested ones included. */
export const javaCataloger: Cataloger = {
  name: 'java-archive',
  wants: (path) => ARCHIVE.test(path),
  async catalog(view: FileView) {
    const packages: PackageDraft[] = [];
    const problems: ImageProblem[] = [];
    for (const path of view
      .capturedPaths()
      .filter((candidate) => ARCHIVE.test(candidate))
      .sort()) {
      const content = view.read(path);
      if (!content) continue;
      const layer = view.layerOf(path);
      const seen = new Set<string>();
      for (const artifact of await readJavaArchive(content, path, problems, path)) {
        const name = `${artifact.groupId}:${artifact.artifactId}`;
        if (seen.has(`${name}@${artifact.version}`)) continue;
        seen.add(`${name}@${artifact.version}`);
        packages.push({
          cataloger: 'java-archive',
          ecosystem: 'Maven',
          name,
          version: artifact.version,
          purl: `pkg:maven/${encodeURIComponent(artifact.groupId)}/${encodeURIComponent(artifact.artifactId)}@${encodeURIComponent(artifact.version)}`,
          path: artifact.location === path ? path : artifact.location,
          ...(layer === undefined ? {} : { layerIndex: layer }),
        });
      }
    }
    return { packages, problems };
  },
};
