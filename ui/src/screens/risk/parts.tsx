import { Link, useSearchParams } from 'react-router';
import { useScope } from '../../shell/scope.js';

interface Factor {
  readonly id: string;
  readonly name: string;
  readonly multiplier: number;
  readonly evidence?: readonly string[] | undefined;
}

/** Risk factors, heaviest first as ranked, each with its evidence in words. */
export const FactorList = ({ factors }: { readonly factors: readonly Factor[] }) =>
  factors.length ? (
    <ol className="factors">
      {factors.map((factor) => (
        <li key={factor.id}>
          <strong>{factor.name}</strong> <span className="muted">×{factor.multiplier.toFixed(2)}</span>
          <ul>
            {(factor.evidence ?? []).map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        </li>
      ))}
    </ol>
  ) : (
    <p className="muted">No risk factor applies.</p>
  );

/** The workloads of a ranking (`namespace/Kind/name` in its cluster), each opening its drawer over this one. */
export const WorkloadLinks = ({
  cluster,
  workloads,
}: {
  readonly cluster: string;
  readonly workloads: readonly { readonly workload: string; readonly score: number }[];
}) => {
  const scope = useScope();
  const [params] = useSearchParams();
  const opening = (workload: string): string => {
    const next = new URLSearchParams(params);
    next.set('workload', `${cluster}/${workload}`);
    return `?${next.toString()}`;
  };
  return (
    <ul className="plain">
      {workloads.map((entry) => (
        <li key={entry.workload}>
          <Link to={{ search: opening(entry.workload) }}>
            {entry.workload} <span className="muted">(risk {entry.score.toFixed(2)})</span>
            {scope.cluster ? null : <span className="muted"> in {cluster}</span>}
          </Link>
        </li>
      ))}
    </ul>
  );
};
