import { Link } from 'react-router';
import { useClusters } from '../../api/queries.js';
import { Loaded } from '../../components/states.js';
import { scopeQuery } from '../../shell/scope.js';
import { ago, sensorHealth } from './health.js';

/** Every cluster central knows: sensor health, versions, last contact, counts. */
export const Clusters = () => {
  const clusters = useClusters();
  const now = new Date();
  return (
    <>
      <h1>Clusters</h1>
      <Loaded
        query={clusters}
        what="clusters"
        empty={
          <>
            No cluster has reported yet. Run <code>kubeward sensor --central URL --token-file F --cluster NAME</code> in a cluster (docs/sensor.md).
          </>
        }
        isEmpty={(data) => data.items.length === 0}
      >
        {(data) => (
          <table className="data-table" aria-label="Clusters">
            <thead>
              <tr>
                <th scope="col">Cluster</th>
                <th scope="col">Sensor</th>
                <th scope="col">Last contact</th>
                <th scope="col">Kubernetes</th>
                <th scope="col">Sensor version</th>
                <th scope="col">Workloads</th>
                <th scope="col">Open violations</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((cluster) => {
                const health = sensorHealth(cluster, now);
                return (
                  <tr key={cluster.name}>
                    <th scope="row">
                      <Link to={{ pathname: '/', search: scopeQuery({ cluster: cluster.name }) }}>{cluster.name}</Link>
                    </th>
                    <td>
                      <span className={`health health-${health.state}`}>{health.label}</span>
                    </td>
                    <td title={cluster.lastContactAt}>{ago(cluster.lastContactAt, now)}</td>
                    <td>{cluster.kubeVersion ?? '–'}</td>
                    <td>{cluster.sensorVersion ?? '–'}</td>
                    <td>{cluster.workloads.toLocaleString('en')}</td>
                    <td>
                      <Link to={{ pathname: '/violations', search: scopeQuery({ cluster: cluster.name }) }}>
                        {cluster.activeViolations.toLocaleString('en')}
                      </Link>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </Loaded>
    </>
  );
};
