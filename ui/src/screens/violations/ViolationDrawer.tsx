import { Link } from 'react-router';
import { useViolation, useViolationAction } from '../../api/queries.js';
import { Drawer } from '../../components/Drawer.js';
import { SeverityBadge } from '../../components/Severity.js';
import { Failed, Loaded } from '../../components/states.js';
import { scopeQuery, useScope } from '../../shell/scope.js';

/** One violation: what breaks the policy (the offending field), how to fix it, its lifecycle. */
export const ViolationDrawer = ({ id, onClose }: { readonly id: string; readonly onClose: () => void }) => {
  const violation = useViolation(id);
  const action = useViolationAction();
  const scope = useScope();
  return (
    <Drawer title="Violation" onClose={onClose}>
      <Loaded query={violation} what="the violation" empty="" isEmpty={() => false}>
        {(data) => (
          <>
            <h3>
              <SeverityBadge severity={data.severity} /> {data.policy.name}
            </h3>
            <p>{data.message}</p>
            <dl className="facts">
              <dt>Entity</dt>
              <dd>
                <Link
                  to={{
                    pathname: '/risk',
                    search: scopeQuery(scope, { workload: `${data.cluster}/${data.namespace}/${data.object.kind}/${data.object.name}` }),
                  }}
                >
                  {data.namespace}/{data.object.kind}/{data.object.name}
                </Link>
                {data.container ? ` (container ${data.container})` : ''}
              </dd>
              <dt>Offending field</dt>
              <dd>
                <code>{data.path || '–'}</code>
              </dd>
              <dt>Categories</dt>
              <dd>{data.categories.join(', ')}</dd>
              <dt>Enforced</dt>
              <dd>{data.enforced ? 'yes: admission denies it' : 'no: reported only'}</dd>
              <dt>State</dt>
              <dd>
                {data.state}
                {data.snoozedUntil ? ` until ${data.snoozedUntil.slice(0, 10)}` : ''}
                {data.resolvedBy ? ` by ${data.resolvedBy}` : ''}
              </dd>
              <dt>First seen</dt>
              <dd>{data.firstSeen}</dd>
              <dt>Last seen</dt>
              <dd>{data.lastSeen}</dd>
            </dl>
            <h3>How to fix it</h3>
            <p className="remediation">{data.remediation}</p>
            <p className="actions">
              {data.state === 'active' ? (
                <button type="button" disabled={action.isPending} onClick={() => action.mutate({ ids: [data.id], action: 'resolve' })}>
                  Resolve
                </button>
              ) : (
                <button type="button" disabled={action.isPending} onClick={() => action.mutate({ ids: [data.id], action: 'reactivate' })}>
                  Reactivate
                </button>
              )}
            </p>
            {action.error ? <Failed error={action.error} action /> : null}
          </>
        )}
      </Loaded>
    </Drawer>
  );
};
