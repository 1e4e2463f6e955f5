import { useSearchParams } from 'react-router';
import { useClusters, useNamespaces } from '../api/queries.js';
import { useScope } from './scope.js';

/** Cluster and namespace for every widget and list; kept in the address. */
export const ScopeBar = () => {
  const scope = useScope();
  const [, setParams] = useSearchParams();
  const clusters = useClusters();
  const namespaces = useNamespaces(scope.cluster);
  const choose = (cluster: string | undefined, namespace: string | undefined) =>
    setParams((previous) => {
      const next = new URLSearchParams(previous);
      for (const [key, value] of [
        ['cluster', cluster],
        ['namespace', namespace],
      ] as const)
        if (value) next.set(key, value);
        else next.delete(key);
      // A list's cursor or an open drawer belongs to the old scope.
      for (const key of ['workload', 'violation', 'cve', 'image']) next.delete(key);
      return next;
    });
  const names = [...new Set((namespaces.data?.items ?? []).map((namespace) => namespace.name))].sort();
  return (
    <div className="scope-bar" role="group" aria-label="Scope">
      <label>
        Cluster
        <select value={scope.cluster ?? ''} onChange={(event) => choose(event.target.value || undefined, undefined)}>
          <option value="">All clusters</option>
          {(clusters.data?.items ?? []).map((cluster) => (
            <option key={cluster.name} value={cluster.name}>
              {cluster.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Namespace
        <select value={scope.namespace ?? ''} onChange={(event) => choose(scope.cluster, event.target.value || undefined)}>
          <option value="">All namespaces</option>
          {names.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
};
