import { useCallback } from 'react';
import { useSearchParams } from 'react-router';
import type { Scope } from '../api/queries.js';

/** The scope (cluster, namespace) lives in the address: a link shares what its sender saw. */
export const useScope = (): Scope => {
  const [params] = useSearchParams();
  return { cluster: params.get('cluster') ?? undefined, namespace: params.get('namespace') ?? undefined };
};

/** Search parameters of the current address, read and changed one at a time (empty removes). */
export const useParam = (name: string): [string | undefined, (value: string | undefined) => void] => {
  const [params, setParams] = useSearchParams();
  const set = useCallback(
    (value: string | undefined) =>
      setParams(
        (previous) => {
          const next = new URLSearchParams(previous);
          if (value === undefined || value === '') next.delete(name);
          else next.set(name, value);
          return next;
        },
        { replace: true },
      ),
    [name, setParams],
  );
  return [params.get(name) ?? undefined, set];
};

/** The scope's part of a link to another screen, so it carries the cluster and namespace along. */
export const scopeQuery = (scope: Scope, extra: Record<string, string | undefined> = {}): string => {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ cluster: scope.cluster, namespace: scope.namespace, ...extra })) if (value) params.set(key, value);
  const text = params.toString();
  return text ? `?${text}` : '';
};
