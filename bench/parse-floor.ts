/**
 * The floor a manifest scan is measured against: read every file of a directory and parse every
 * YAML document in it with js-yaml (its default schema, as a user of the library would), and do
 * nothing else. Run as its own process by bench/run.ts, so that it is timed exactly like a scan.
 *
 *   node dist/bench/parse-floor.js <directory>
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import jsYaml from 'js-yaml';

const directory = process.argv[2];
if (!directory) throw new Error('usage: parse-floor.js <directory>');
let documents = 0;
for (const name of readdirSync(directory).sort()) {
  jsYaml.loadAll(readFileSync(join(directory, name), 'utf8'), () => documents++);
}
process.stdout.write(`${JSON.stringify({ documents })}\n`);
