// The console's initial JavaScript, gzip-compressed, against its budget (issue 15: under 400 KB):
// the scripts index.html loads and preloads. Prints JSON; exits 1 over budget.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, URL } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET_BYTES = 400 * 1024;
const root = fileURLToPath(new URL('../dist/ui/', import.meta.url));
const html = await readFile(join(root, 'index.html'), 'utf8');
const initial = [...html.matchAll(/<(?:script[^>]+src|link[^>]+rel="modulepreload"[^>]+href)="\/([^"]+\.js)"/g)].map((match) => match[1]);
const files = await Promise.all(
  initial.map(async (file) => {
    const bytes = await readFile(join(root, file));
    return { file, bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
  }),
);
const gzipBytes = files.reduce((sum, file) => sum + file.gzipBytes, 0);
process.stdout.write(`${JSON.stringify({ ui: 'initial JavaScript', files, gzipBytes, budgetBytes: BUDGET_BYTES, withinBudget: gzipBytes <= BUDGET_BYTES })}\n`);
if (files.length === 0 || gzipBytes > BUDGET_BYTES) process.exitCode = 1;
