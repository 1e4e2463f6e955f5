import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { locatePaths, parseYamlStream, type ParsedDocument } from '../../k8s/index.js';
import { formatPath, parsePath } from '../../model/index.js';
import { checkPolicyDocument } from '../check.js';
import type { PolicyProblem } from '../schema.js';
import type { Policy } from '../types.js';

/**
 * Points each problem at its line: the field at fault, or the nearest enclosing one that exists
 * (a missing key is reported at the object that lacks it).
 */
const withLines = (problems: readonly PolicyProblem[], document: ParsedDocument, file: string): PolicyProblem[] =>
  problems.map((problem) => {
    const segments = parsePath(problem.path);
    for (let length = segments.length; length >= 0; length--) {
      const [position] = locatePaths(document.text, document.startLine - 1, [formatPath(segments.slice(0, length))]);
      if (position) return { ...problem, origin: `${file}:${position.line}` };
    }
    return problem;
  });

export { builtInPolicyDirectory } from './defaults.js';

/**
 * Reads the Policy documents of one text (a file, or a body sent to central): each policy whole
 * and checked (criteria fields, regexes), or its problems at their lines under `name`.
 */
export const readPolicyText = (text: string, name: string): LoadedPolicies => {
  const policies: Policy[] = [];
  const problems: PolicyProblem[] = [];
  for (const document of parseYamlStream(text)) {
    const origin = `${name}:${document.startLine}`;
    if (document.error) {
      problems.push({
        origin: `${name}:${document.error.line}:${document.error.column}`,
        path: '',
        code: document.error.code,
        message: document.error.message,
      });
      continue;
    }
    // Criteria are checked here too (unknown fields, bad regexes), while the text is at hand to name the line.
    const checked = checkPolicyDocument(document.value, origin);
    if ('problems' in checked) problems.push(...withLines(checked.problems, document, name));
    else policies.push(checked.policy);
  }
  return { policies, problems };
};

export interface LoadedPolicies {
  readonly policies: Policy[];
  readonly problems: PolicyProblem[];
}

const isPolicyFile = (name: string): boolean => /\.(ya?ml|json)$/i.test(name);

/**
 * Reads every Policy document in a file or directory (not recursing into `tests/`, where the
 * built-in policies keep their test cases). Problems are returned, never thrown.
 */
export const loadPolicyPath = async (path: string, cwd: string): Promise<LoadedPolicies> => {
  const policies: Policy[] = [];
  const problems: PolicyProblem[] = [];
  const display = (file: string): string => {
    const rel = relative(cwd, file);
    return rel.startsWith('..') ? file : rel;
  };
  const readOne = async (file: string): Promise<void> => {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      problems.push({ origin: display(file), path: '', code: 'unreadable', message: (error as Error).message });
      return;
    }
    const read = readPolicyText(text, display(file));
    policies.push(...read.policies);
    problems.push(...read.problems);
  };
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    return { policies, problems: [{ origin: display(path), path: '', code: 'not-found', message: (error as Error).message }] };
  }
  if (!info.isDirectory()) {
    await readOne(path);
    return { policies, problems };
  }
  const walk = async (directory: string): Promise<void> => {
    for (const entry of (await readdir(directory, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = join(directory, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'tests' && !entry.name.startsWith('.')) await walk(full);
      } else if (isPolicyFile(entry.name)) await readOne(full);
    }
  };
  await walk(path);
  return { policies, problems };
};
