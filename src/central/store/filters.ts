import type { Scope } from './types.js';

/** `%term%` for LIKE, with the wildcards in the term taken literally. */
export const likePattern = (term: string): string => `%${term.toLowerCase().replace(/[\\%_]/g, (match) => `\\${match}`)}%`;

/** Applies the scope to a query over a table with `cluster` and `namespace` columns. */
export const scoped = <Q extends { where: (...args: never[]) => Q }>(query: Q, scope: Scope): Q => {
  let out = query as unknown as { where: (column: string, op: string, value: string) => typeof out };
  if (scope.cluster !== undefined) out = out.where('cluster', '=', scope.cluster);
  if (scope.namespace !== undefined) out = out.where('namespace', '=', scope.namespace);
  return out as unknown as Q;
};
