import { Link } from 'react-router';
import { download } from '../../api/client.js';
import { useCveRisk, useImageRisk } from '../../api/queries.js';
import { Drawer } from '../../components/Drawer.js';
import { SeverityBadge } from '../../components/Severity.js';
import { Empty, Loaded } from '../../components/states.js';
import { scopeQuery, useScope } from '../../shell/scope.js';
import { FactorList, WorkloadLinks } from './parts.js';

/** One image: its factors, the workloads that run it, its CVEs, its SBOM. */
export const ImageDrawer = ({ image, onClose }: { readonly image: string; readonly onClose: () => void }) => {
  const scope = useScope();
  const images = useImageRisk(scope, 1000);
  const cves = useCveRisk(scope, { top: 2000 });
  return (
    <Drawer title={image} onClose={onClose}>
      <Loaded query={images} what="the image" empty="" isEmpty={() => false}>
        {(data) => {
          const found = data.items.find((entry) => entry.image === image);
          if (!found) return <Empty>This image is not ranked in this scope.</Empty>;
          const digest = found.digest;
          return (
            <>
              <p>{found.summary}</p>
              {digest ? (
                <p className="actions">
                  SBOM:{' '}
                  <button type="button" onClick={() => void download(`/api/v1/images/${encodeURIComponent(digest)}`, { format: 'cyclonedx' })}>
                    CycloneDX
                  </button>{' '}
                  <button type="button" onClick={() => void download(`/api/v1/images/${encodeURIComponent(digest)}`, { format: 'spdx-json' })}>
                    SPDX
                  </button>
                </p>
              ) : (
                <p className="muted">Not scanned: push a scan from CI (`kubeward image scan --push`) or start the server with --scan-images.</p>
              )}
              <h3>Factors</h3>
              <FactorList factors={found.factors} />
              <h3>Run by {found.workloadCount} workloads</h3>
              <WorkloadLinks cluster={found.cluster} workloads={found.workloads} />
              <h3>CVEs</h3>
              <Loaded query={cves} what="CVEs" empty="" isEmpty={() => false}>
                {(ranked) => {
                  const own = ranked.items.filter((cve) => cve.images.includes(image) || (digest !== undefined && cve.images.includes(digest)));
                  return own.length === 0 ? (
                    <p className="muted">No known vulnerability.</p>
                  ) : (
                    <ul className="plain">
                      {own.slice(0, 50).map((cve) => (
                        <li key={cve.id}>
                          <SeverityBadge severity={cve.severity} /> <Link to={{ search: scopeQuery(scope, { tab: 'cves', cve: cve.id }) }}>{cve.id}</Link>
                          {cve.fixable ? <span className="muted"> fixable</span> : null}
                        </li>
                      ))}
                    </ul>
                  );
                }}
              </Loaded>
            </>
          );
        }}
      </Loaded>
    </Drawer>
  );
};

/** One CVE: why it ranks where it does, the packages and their fixes, the images and workloads it is in. */
export const CveDrawer = ({ id, onClose }: { readonly id: string; readonly onClose: () => void }) => {
  const scope = useScope();
  const cves = useCveRisk(scope, { top: 2000 });
  return (
    <Drawer title={id} onClose={onClose}>
      <Loaded query={cves} what="the CVE" empty="" isEmpty={() => false}>
        {(data) => {
          const found = data.items.find((entry) => entry.id === id);
          if (!found) return <Empty>This CVE is not in a running image in this scope.</Empty>;
          return (
            <>
              <dl className="facts">
                <dt>Severity</dt>
                <dd>
                  <SeverityBadge severity={found.severity} />
                </dd>
                <dt>CVSS</dt>
                <dd>{found.cvss?.toFixed(1) ?? '–'}</dd>
                <dt>EPSS</dt>
                <dd>{found.epss ? `${(found.epss.score * 100).toFixed(1)}%` : '–'}</dd>
                <dt>Known exploited</dt>
                <dd>{found.kev ? `yes, since ${found.kev.dateAdded}` : 'no'}</dd>
                <dt>Aliases</dt>
                <dd>{found.aliases.join(', ') || '–'}</dd>
              </dl>
              <h3>Why it ranks here</h3>
              <ul>
                {found.reasons.map((reason) => (
                  <li key={reason}>{reason}</li>
                ))}
              </ul>
              <h3>Packages</h3>
              <ul className="plain">
                {found.packages.map((pkg) => (
                  <li key={`${pkg.ecosystem}/${pkg.name}/${pkg.version}`}>
                    {pkg.name} {pkg.version} <span className="muted">({pkg.ecosystem})</span>
                    {pkg.fixedVersions.length ? <> → fixed in {pkg.fixedVersions.join(', ')}</> : <span className="muted"> no fix yet</span>}
                  </li>
                ))}
              </ul>
              <h3>Images</h3>
              <ul className="plain">
                {found.images.map((image) => (
                  <li key={image}>
                    <Link to={{ search: scopeQuery(scope, { tab: 'images', image }) }}>{image}</Link>
                  </li>
                ))}
              </ul>
              <h3>Workloads ({found.workloadCount})</h3>
              <WorkloadLinks cluster={found.cluster} workloads={found.workloads} />
            </>
          );
        }}
      </Loaded>
    </Drawer>
  );
};
