import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { useClusters, useCveRisk, useImageRisk, useViolationSummary, useWorkloadPages } from '../../api/queries.js';
import { SEVERITY_ORDER, SeverityBadge, SeverityBar } from '../../components/Severity.js';
import { Loaded } from '../../components/states.js';
import { scopeQuery, useScope } from '../../shell/scope.js';
import { sensorHealth } from '../clusters/health.js';

const Card = ({ title, children, wide }: { readonly title: string; readonly children: ReactNode; readonly wide?: boolean }) => {
  const id = `card-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <section className={wide ? 'card card-wide' : 'card'} aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
};

const OpenViolations = () => {
  const scope = useScope();
  const summary = useViolationSummary(scope);
  return (
    <Card title="Open violations" wide>
      <Loaded query={summary} what="violations" empty="No open violations in this scope." isEmpty={(data) => data.total === 0}>
        {(data) => (
          <>
            <p className="big-number">{data.total.toLocaleString('en')}</p>
            <SeverityBar counts={data.bySeverity} />
            <ul className="severity-counts">
              {SEVERITY_ORDER.map((severity) => (
                <li key={severity}>
                  <Link to={{ pathname: '/violations', search: scopeQuery(scope, { severity }) }}>
                    <SeverityBadge severity={severity} /> {data.bySeverity[severity].toLocaleString('en')}
                  </Link>
                </li>
              ))}
            </ul>
          </>
        )}
      </Loaded>
    </Card>
  );
};

const ByCategory = () => {
  const scope = useScope();
  const summary = useViolationSummary(scope);
  return (
    <Card title="Violations by category">
      <Loaded query={summary} what="categories" empty="No open violations." isEmpty={(data) => data.byCategory.length === 0}>
        {(data) => (
          <ul className="bars">
            {data.byCategory.slice(0, 8).map((entry) => (
              <li key={entry.category}>
                <span className="bar-label">{entry.category}</span>
                <span className="bar" style={{ width: `${(100 * entry.count) / (data.byCategory[0]?.count ?? 1)}%` }} aria-hidden="true" />
                <span className="bar-value">{entry.count}</span>
              </li>
            ))}
          </ul>
        )}
      </Loaded>
    </Card>
  );
};

const RiskiestWorkloads = () => {
  const scope = useScope();
  const pages = useWorkloadPages(scope);
  const query = { ...pages, data: pages.data?.pages[0]?.items.slice(0, 5) };
  return (
    <Card title="Deployments at most risk">
      <Loaded query={query} what="workloads" empty="No workloads in this scope." isEmpty={(rows) => rows.length === 0}>
        {(rows) => (
          <ol className="ranked">
            {rows.map((workload) => (
              <li key={workload.id}>
                <Link to={{ pathname: '/risk', search: scopeQuery(scope, { workload: workload.id }) }}>
                  {workload.namespace}/{workload.name}
                </Link>
                <span className="score">{workload.risk ? workload.risk.score.toFixed(2) : '–'}</span>
              </li>
            ))}
          </ol>
        )}
      </Loaded>
    </Card>
  );
};

const RiskiestImages = () => {
  const scope = useScope();
  const images = useImageRisk(scope, 5);
  return (
    <Card title="Images at most risk">
      <Loaded query={images} what="images" empty="No images ranked yet." isEmpty={(data) => data.items.length === 0}>
        {(data) => (
          <ol className="ranked">
            {data.items.map((image) => (
              <li key={`${image.cluster}/${image.image}`}>
                <Link to={{ pathname: '/risk', search: scopeQuery(scope, { tab: 'images', image: image.image }) }}>{image.image}</Link>
                <span className="score">{image.workloadScore.toFixed(2)}</span>
              </li>
            ))}
          </ol>
        )}
      </Loaded>
    </Card>
  );
};

const CveCard = ({ title, kev }: { readonly title: string; readonly kev: boolean }) => {
  const scope = useScope();
  const cves = useCveRisk(scope, kev ? { kev: true, top: 500 } : { fixable: true, top: 500 });
  const picked = {
    ...cves,
    data: cves.data?.items.filter((cve) => cve.workloadCount > 0 && (kev || cve.severity === 'CRITICAL')),
  };
  return (
    <Card title={title}>
      <Loaded
        query={picked}
        what="CVEs"
        empty={kev ? 'No known exploited CVE in a running image.' : 'No fixable critical CVE in a running image.'}
        isEmpty={(rows) => rows.length === 0}
      >
        {(rows) => (
          <>
            <p className="big-number">{rows.length}</p>
            <ol className="ranked">
              {rows.slice(0, 5).map((cve) => (
                <li key={`${cve.cluster}/${cve.id}`}>
                  <Link to={{ pathname: '/risk', search: scopeQuery(scope, { tab: 'cves', cve: cve.id }) }}>{cve.id}</Link>
                  <span>{cve.workloadCount} workloads</span>
                </li>
              ))}
            </ol>
          </>
        )}
      </Loaded>
    </Card>
  );
};

const SensorHealth = () => {
  const clusters = useClusters();
  return (
    <Card title="Clusters">
      <Loaded query={clusters} what="clusters" empty="No cluster has reported yet." isEmpty={(data) => data.items.length === 0}>
        {(data) => (
          <ul className="plain">
            {data.items.map((cluster) => {
              const health = sensorHealth(cluster, new Date());
              return (
                <li key={cluster.name}>
                  <span className={`health health-${health.state}`}>{health.label}</span> {cluster.name}: {cluster.workloads} workloads
                </li>
              );
            })}
          </ul>
        )}
      </Loaded>
    </Card>
  );
};

/** What to fix first, at a glance, in the scope of the scope bar. */
export const Dashboard = () => (
  <>
    <h1>Dashboard</h1>
    <div className="cards">
      <OpenViolations />
      <RiskiestWorkloads />
      <RiskiestImages />
      <CveCard title="Fixable critical CVEs" kev={false} />
      <CveCard title="Known exploited CVEs (KEV) running" kev />
      <ByCategory />
      <SensorHealth />
      <Card title="Compliance">
        <p className="muted">Compliance by standard appears here once compliance checks run (CIS Kubernetes, NIST SP 800-190, PCI DSS, HIPAA).</p>
      </Card>
    </div>
  </>
);
