import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { RENDERERS, type FormatName } from '../report/index.js';
import type { ScanReport } from '../model/index.js';
import type { Io } from './io.js';

/** Writes rendered pieces to a file, waiting whenever the stream's buffer is full. */
const writeChunks = async (stream: WriteStream, chunks: Iterable<string>): Promise<void> => {
  for (const chunk of chunks) if (!stream.write(chunk)) await once(stream, 'drain');
  stream.end();
  await once(stream, 'finish');
};

/** Joins rendered pieces into writes of about a megabyte. */
export function* chunked(chunks: Iterable<string>): Generator<string> {
  // Collected and joined rather than appended: `+=` builds a rope of thousands of pieces that
  // has to be flattened again before it can be encoded for the write.
  let pieces: string[] = [];
  let length = 0;
  for (const chunk of chunks) {
    pieces.push(chunk);
    length += chunk.length;
    if (length > 1 << 16) {
      yield pieces.join('');
      pieces = [];
      length = 0;
    }
  }
  if (length > 0) yield pieces.join('');
}

/** Renders a scan report in the chosen format, to `--output` or stdout (colour only for a table on a terminal). */
export const writeReport = async (
  report: ScanReport,
  options: { readonly format: string; readonly output?: string; readonly color?: boolean },
  io: Io,
): Promise<FormatName> => {
  const format = options.format as FormatName;
  const color = options.output === undefined && (options.color ?? io.stdoutIsTTY) && format === 'table';
  await writeRendered(RENDERERS[format].render(report, { color }), options.output, io);
  return format;
};

/** The context every renderer gets: colour only for a terminal (never into a file), the clock and the version. */
export const renderContext = (io: Io, options: { readonly output?: string | undefined; readonly color?: boolean | undefined }, colourful: boolean) => ({
  color: options.output === undefined && (options.color ?? io.stdoutIsTTY) && colourful,
  now: io.now(),
  toolVersion: io.version,
});

/** The one writer: a rendered report, whole or in pieces, to `--output` or stdout. */
export const writeRendered = async (rendered: string | Iterable<string>, output: string | undefined, io: Io): Promise<void> => {
  const pieces = typeof rendered === 'string' ? [rendered] : rendered;
  if (output) await writeChunks(createWriteStream(output), chunked(pieces));
  else await io.stdout(chunked(pieces));
};
