#!/usr/bin/env node
import { main, packageVersion } from './main.js';

const readStdin = async (): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

const write = (stream: NodeJS.WriteStream) => (text: string | Iterable<string>) => {
  if (typeof text === 'string') stream.write(text);
  else for (const chunk of text) stream.write(chunk);
};

process.exitCode = await main(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  version: packageVersion(),
  stdoutIsTTY: process.stdout.isTTY === true && process.env.NO_COLOR === undefined,
  stdout: write(process.stdout),
  stderr: (text: string) => process.stderr.write(text),
  readStdin,
  now: () => new Date(),
});
