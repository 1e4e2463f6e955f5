import { compilePolicy } from './compile.js';
import { parsePolicyDocument, type PolicyProblem } from './schema.js';
import type { Policy } from './types.js';

/** A Policy document checked whole: its shape, then its criteria (fields, regexes, CEL), as a policy file is. */
export const checkPolicyDocument = (document: unknown, origin: string): { readonly policy: Policy } | { readonly problems: readonly PolicyProblem[] } => {
  const parsed = parsePolicyDocument(document, origin);
  if ('problems' in parsed) return parsed;
  const compiled = compilePolicy(parsed.policy);
  return 'problems' in compiled ? { problems: compiled.problems } : parsed;
};
