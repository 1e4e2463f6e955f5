import type { ColumnDef } from '@tanstack/react-table';
import { Link } from 'react-router';
import type { CveRiskEntry, ImageRiskEntry, Workload } from '../../../../src/central/api/contract.js';
import { useCveRisk, useImageRisk, useWorkloadPages } from '../../api/queries.js';
import { DataTable } from '../../components/DataTable.js';
import { PagedTable } from '../../components/PagedTable.js';
import { SearchBox } from '../../components/SearchBox.js';
import { SeverityBadge } from '../../components/Severity.js';
import { Loaded } from '../../components/states.js';
import { scopeQuery, useParam, useScope } from '../../shell/scope.js';
import { CveDrawer, ImageDrawer } from './RankingDrawers.js';
import { WorkloadDrawer } from './WorkloadDrawer.js';

const WORKLOAD_COLUMNS: ColumnDef<Workload, unknown>[] = [
  { id: 'priority', header: 'Priority', size: 70, cell: ({ row }) => row.original.risk?.priority ?? '–' },
  { id: 'name', header: 'Workload', cell: ({ row }) => <span className="strong">{row.original.name}</span> },
  { id: 'namespace', header: 'Namespace', cell: ({ row }) => row.original.namespace },
  { id: 'cluster', header: 'Cluster', cell: ({ row }) => row.original.cluster },
  { id: 'kind', header: 'Kind', cell: ({ row }) => row.original.kind },
  { id: 'risk', header: 'Risk', size: 70, cell: ({ row }) => row.original.risk?.score.toFixed(2) ?? '–' },
  {
    id: 'factors',
    header: 'Top factors',
    cell: ({ row }) =>
      (row.original.risk?.factors ?? [])
        .slice(0, 3)
        .map((factor) => factor.name)
        .join(', '),
  },
];

const Workloads = () => {
  const scope = useScope();
  const [search, setSearch] = useParam('search');
  const [sort, setSort] = useParam('sort');
  const [, setWorkload] = useParam('workload');
  const pages = useWorkloadPages({ ...scope, search, sort: sort === 'name' ? 'name' : 'risk' });
  return (
    <>
      <div className="toolbar">
        <SearchBox label="Search workloads (any part of the name, namespace or image)" value={search} onChange={setSearch} />
      </div>
      <PagedTable
        pages={pages}
        what="workloads"
        empty="No workload matches."
        label="Workloads by risk"
        columns={WORKLOAD_COLUMNS}
        rowId={(row) => row.id}
        onOpen={(row) => setWorkload(row.id)}
        sort={{ current: sort === 'name' ? 'name' : 'risk', byColumn: { risk: 'risk', name: 'name' }, onChange: setSort }}
      />
    </>
  );
};

const IMAGE_COLUMNS: ColumnDef<ImageRiskEntry, unknown>[] = [
  { id: 'image', header: 'Image', cell: ({ row }) => <span className="strong">{row.original.image}</span> },
  { id: 'cluster', header: 'Cluster', cell: ({ row }) => row.original.cluster },
  { id: 'workloadScore', header: 'Risk where it runs', cell: ({ row }) => row.original.workloadScore.toFixed(2) },
  { id: 'imageScore', header: 'Image risk', cell: ({ row }) => row.original.imageScore.toFixed(2) },
  { id: 'workloads', header: 'Workloads', cell: ({ row }) => row.original.workloadCount },
  { id: 'scanned', header: 'Scanned', cell: ({ row }) => (row.original.scanned ? 'yes' : 'no') },
];

const Images = () => {
  const scope = useScope();
  const [, setImage] = useParam('image');
  const images = useImageRisk(scope, 1000);
  return (
    <Loaded query={images} what="images" empty="No image is ranked in this scope." isEmpty={(data) => data.items.length === 0}>
      {(data) => (
        <DataTable
          label="Images by risk"
          rows={data.items}
          columns={IMAGE_COLUMNS}
          rowId={(row) => `${row.cluster}/${row.image}`}
          onOpen={(row) => setImage(row.image)}
        />
      )}
    </Loaded>
  );
};

const CVE_COLUMNS: ColumnDef<CveRiskEntry, unknown>[] = [
  { id: 'id', header: 'CVE', cell: ({ row }) => <span className="strong">{row.original.id}</span> },
  { id: 'severity', header: 'Severity', cell: ({ row }) => <SeverityBadge severity={row.original.severity} /> },
  { id: 'cvss', header: 'CVSS', size: 60, cell: ({ row }) => row.original.cvss?.toFixed(1) ?? '–' },
  { id: 'epss', header: 'EPSS', size: 70, cell: ({ row }) => (row.original.epss ? `${(row.original.epss.score * 100).toFixed(1)}%` : '–') },
  { id: 'kev', header: 'KEV', size: 50, cell: ({ row }) => (row.original.kev ? 'yes' : '') },
  { id: 'fixable', header: 'Fixable', size: 60, cell: ({ row }) => (row.original.fixable ? 'yes' : 'no') },
  { id: 'workloads', header: 'Workloads', size: 80, cell: ({ row }) => row.original.workloadCount },
  { id: 'images', header: 'Images', size: 70, cell: ({ row }) => row.original.images.length },
];

const Cves = () => {
  const scope = useScope();
  const [, setCve] = useParam('cve');
  const [fixable, setFixable] = useParam('fixable');
  const [kev, setKev] = useParam('kev');
  const cves = useCveRisk(scope, { top: 2000, ...(fixable ? { fixable: true } : {}), ...(kev ? { kev: true } : {}) });
  return (
    <>
      <div className="toolbar">
        <label>
          <input type="checkbox" checked={fixable !== undefined} onChange={(event) => setFixable(event.target.checked ? 'true' : undefined)} /> Fixable only
        </label>
        <label>
          <input type="checkbox" checked={kev !== undefined} onChange={(event) => setKev(event.target.checked ? 'true' : undefined)} /> Known exploited (KEV)
          only
        </label>
      </div>
      <Loaded query={cves} what="CVEs" empty="No CVE matches in this scope." isEmpty={(data) => data.items.length === 0}>
        {(data) => (
          <DataTable
            label="CVEs by risk"
            rows={data.items}
            columns={CVE_COLUMNS}
            rowId={(row) => `${row.cluster}/${row.id}`}
            onOpen={(row) => setCve(row.id)}
          />
        )}
      </Loaded>
    </>
  );
};

const TABS = [
  { id: 'workloads', label: 'Workloads' },
  { id: 'images', label: 'Images' },
  { id: 'cves', label: 'CVEs' },
] as const;

/** Workloads, images and CVEs ranked by risk in their Kubernetes context; each opens in a shareable drawer. */
export const Risk = () => {
  const scope = useScope();
  const [tab] = useParam('tab');
  const [workload, setWorkload] = useParam('workload');
  const [image, setImage] = useParam('image');
  const [cve, setCve] = useParam('cve');
  const current = TABS.find((entry) => entry.id === tab)?.id ?? 'workloads';
  return (
    <>
      <h1>Risk</h1>
      <nav className="tabs" aria-label="Rankings">
        {TABS.map((entry) => (
          <Link key={entry.id} to={{ search: scopeQuery(scope, { tab: entry.id }) }} aria-current={current === entry.id ? 'page' : undefined}>
            {entry.label}
          </Link>
        ))}
      </nav>
      {current === 'workloads' ? <Workloads /> : current === 'images' ? <Images /> : <Cves />}
      {workload ? <WorkloadDrawer id={workload} onClose={() => setWorkload(undefined)} /> : null}
      {image && !workload ? <ImageDrawer image={image} onClose={() => setImage(undefined)} /> : null}
      {cve && !workload && !image ? <CveDrawer id={cve} onClose={() => setCve(undefined)} /> : null}
    </>
  );
};
