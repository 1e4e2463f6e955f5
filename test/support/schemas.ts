import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import yauzl from 'yauzl';
import { repoPath } from './repo.js';

/** The SARIF 2.1.0 JSON schema (OASIS), as @microsoft/jest-sarif ships it. */
export const sarifValidator = async () => {
  const schema: unknown = JSON.parse(await readFile(repoPath('node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
  // The official schema has a pattern that is only valid without the u flag.
  const ajv = new AjvDraft04.default({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats.default(ajv);
  return ajv.compile(schema as object);
};

/** CycloneDX's official JSON schemas, as the CycloneDX library ships them. */
export const cycloneDxValidator = async () => {
  const directory = repoPath('node_modules/@cyclonedx/cyclonedx-library/res/schema');
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  // The BOM schema names them relative to its own $id; register them under the URIs that resolves to.
  for (const name of ['spdx.SNAPSHOT.schema.json', 'jsf-0.82.SNAPSHOT.schema.json']) {
    const schema = JSON.parse(await readFile(join(directory, name), 'utf8')) as Record<string, unknown>;
    delete schema.$id;
    ajv.addSchema(schema, `http://cyclonedx.org/schema/${name}`);
  }
  return ajv.compile(JSON.parse(await readFile(join(directory, 'bom-1.6.SNAPSHOT.schema.json'), 'utf8')) as object);
};

/**
 * The official SPDX 2.3 JSON schema, from the SPDX project's tools-java on Maven Central (its
 * `resources/spdx-schema-v2.3.json`), downloaded once, checked against Maven Central's SHA-1 and
 * cached outside the clone. Never committed.
 */
const TOOLS_JAVA = 'https://repo.maven.apache.org/maven2/org/spdx/tools-java/1.1.8/tools-java-1.1.8.jar';

export const spdxSchema = async (): Promise<object> => {
  const cache = join(process.env.KUBEWARD_TEST_DATA_CACHE ?? join(homedir(), '.cache', 'kubeward-test-data'), 'spdx-schema-v2.3.json');
  if (!existsSync(cache)) {
    const [jar, sha1] = await Promise.all([
      fetch(TOOLS_JAVA).then(async (response) => Buffer.from(await response.arrayBuffer())),
      fetch(`${TOOLS_JAVA}.sha1`).then((response) => response.text()),
    ]);
    const actual = createHash('sha1').update(jar).digest('hex');
    if (actual !== sha1.trim().slice(0, 40)) throw new Error(`tools-java jar SHA-1 ${actual} is not Maven Central's ${sha1.trim()}`);
    const schema = await new Promise<Buffer>((resolve, reject) =>
      yauzl.fromBuffer(jar, { lazyEntries: true }, (error, zip) => {
        if (error) return reject(error);
        zip.on('entry', (entry: yauzl.Entry) => {
          if (entry.fileName !== 'resources/spdx-schema-v2.3.json') return zip.readEntry();
          zip.openReadStream(entry, (streamError, stream) => {
            if (streamError) return reject(streamError);
            const chunks: Buffer[] = [];
            stream.on('data', (chunk: Buffer) => chunks.push(chunk));
            stream.on('end', () => resolve(Buffer.concat(chunks)));
          });
        });
        zip.on('end', () => reject(new Error('no resources/spdx-schema-v2.3.json in tools-java')));
        zip.readEntry();
      }),
    );
    await mkdir(join(cache, '..'), { recursive: true });
    await writeFile(cache, schema);
  }
  return JSON.parse(await readFile(cache, 'utf8')) as object;
};

export const spdxValidator = async () => {
  // The SPDX 2.3 schema is written in JSON Schema draft 2019-09.
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  addFormats.default(ajv);
  return ajv.compile(await spdxSchema());
};
