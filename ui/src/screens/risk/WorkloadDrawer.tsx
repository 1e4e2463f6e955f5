import { Link } from 'react-router';
import { useWorkload, useWorkloadViolations } from '../../api/queries.js';
import { Drawer } from '../../components/Drawer.js';
import { SEVERITY_ORDER, SeverityBadge } from '../../components/Severity.js';
import { Loaded } from '../../components/states.js';
import { scopeQuery, useScope } from '../../shell/scope.js';
import { FactorList } from './parts.js';

/** One workload: why it ranks where it does, in words, what it runs, what it breaks, what happened to it. */
export const WorkloadDrawer = ({ id, onClose }: { readonly id: string; readonly onClose: () => void }) => {
  const workload = useWorkload(id);
  const violations = useWorkloadViolations(id);
  const scope = useScope();
  return (
    <Drawer title={id.split('/').slice(1).join('/')} onClose={onClose}>
      <Loaded query={workload} what="the workload" empty="" isEmpty={() => false}>
        {(data) => (
          <>
            <dl className="facts">
              <dt>Risk</dt>
              <dd>{data.risk ? `${data.risk.score.toFixed(2)} (priority ${data.risk.priority})` : 'not ranked'}</dd>
              <dt>Cluster</dt>
              <dd>{data.cluster}</dd>
              <dt>Kind</dt>
              <dd>{data.kind}</dd>
              <dt>Service account</dt>
              <dd>{data.serviceAccount ?? 'default'}</dd>
              <dt>Replicas</dt>
              <dd>{data.replicas ?? '–'}</dd>
            </dl>
            <h3>Why it is at risk</h3>
            <FactorList factors={data.risk?.factors ?? []} />
            <h3>Images</h3>
            <ul className="plain">
              {data.images.map((image) => (
                <li key={image}>
                  <Link to={{ pathname: '/risk', search: scopeQuery(scope, { tab: 'images', image }) }}>{image}</Link>
                </li>
              ))}
            </ul>
            <h3>Open violations</h3>
            <p>
              {SEVERITY_ORDER.map((severity) => (
                <span key={severity} className="count-chip">
                  <SeverityBadge severity={severity} /> {data.violations[severity.toLowerCase() as 'critical']}
                </span>
              ))}
            </p>
            <Loaded query={violations} what="violations" empty="None." isEmpty={(page) => page.items.length === 0}>
              {(page) => (
                <ul className="plain">
                  {page.items.map((violation) => (
                    <li key={violation.id}>
                      <SeverityBadge severity={violation.severity} />{' '}
                      <Link to={{ pathname: '/violations', search: scopeQuery(scope, { violation: violation.id }) }}>{violation.policy.name}</Link>
                      {violation.container ? <span className="muted"> ({violation.container})</span> : null}
                    </li>
                  ))}
                </ul>
              )}
            </Loaded>
            <h3>History</h3>
            <ul className="plain">
              {data.history.map((entry) => (
                <li key={`${entry.at}-${entry.change}`}>
                  <time dateTime={entry.at}>{entry.at.replace('T', ' ').slice(0, 19)}</time> {entry.change}
                </li>
              ))}
            </ul>
          </>
        )}
      </Loaded>
    </Drawer>
  );
};
