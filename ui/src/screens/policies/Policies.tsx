import type { ColumnDef } from '@tanstack/react-table';
import { useState } from 'react';
import type { PolicySummary } from '../../../../src/central/api/contract.js';
import { download } from '../../api/client.js';
import { usePolicies, usePolicyImport, usePolicySwitch } from '../../api/queries.js';
import { SelectFilter } from '../../components/SelectFilter.js';
import { DataTable } from '../../components/DataTable.js';
import { SEVERITY_ORDER, SeverityBadge } from '../../components/Severity.js';
import { Failed, Loaded } from '../../components/states.js';
import { useParam } from '../../shell/scope.js';
import { SearchBox } from '../../components/SearchBox.js';
import { PolicyDrawer } from './PolicyDrawer.js';

const Switch = ({ policy }: { readonly policy: PolicySummary }) => {
  const change = usePolicySwitch();
  return (
    <>
      <button
        type="button"
        aria-label={`${policy.enabled ? 'Disable' : 'Enable'} ${policy.name}`}
        disabled={change.isPending}
        onClick={() => change.mutate({ id: policy.id, enable: !policy.enabled })}
      >
        {policy.enabled ? 'Disable' : 'Enable'}
      </button>
      {change.error ? <Failed error={change.error} action /> : null}
    </>
  );
};

const COLUMNS: ColumnDef<PolicySummary, unknown>[] = [
  { id: 'name', header: 'Policy', cell: ({ row }) => <span className="strong">{row.original.name}</span> },
  { id: 'severity', header: 'Severity', size: 90, cell: ({ row }) => <SeverityBadge severity={row.original.severity} /> },
  { id: 'categories', header: 'Categories', cell: ({ row }) => row.original.categories.join(', ') },
  { id: 'lifecycle', header: 'Lifecycle', cell: ({ row }) => row.original.lifecycleStages.join(', ').toLowerCase() },
  { id: 'enforcement', header: 'Enforced at', cell: ({ row }) => row.original.enforcement.join(', ').toLowerCase() || '–' },
  { id: 'state', header: 'State', size: 80, cell: ({ row }) => (row.original.enabled ? 'enabled' : 'disabled') },
  { id: 'origin', header: 'Origin', size: 80, cell: ({ row }) => (row.original.builtin ? 'shipped' : 'custom') },
  { id: 'switch', header: '', size: 90, cell: ({ row }) => <Switch policy={row.original} /> },
];

/** Paste Policy YAML or a StackRox export; all or nothing, with what was created, updated and skipped. */
const Import = () => {
  const [text, setText] = useState('');
  const run = usePolicyImport();
  return (
    <details className="card">
      <summary>Import policies</summary>
      <label htmlFor="policy-import">Policy documents (YAML) or a StackRox policy export (JSON)</label>
      <textarea id="policy-import" rows={8} value={text} onChange={(event) => setText(event.target.value)} />
      <button type="button" disabled={!text.trim() || run.isPending} onClick={() => run.mutate(text)}>
        Import
      </button>
      {run.error ? <Failed error={run.error} action /> : null}
      {run.data ? (
        <p role="status">
          {run.data.created.length} created, {run.data.updated.length} updated, {run.data.unchanged.length} unchanged, {run.data.skipped.length} skipped
          {run.data.skipped.map((entry) => `; ${entry.name}: ${entry.reason}`).join('')}
        </p>
      ) : null}
    </details>
  );
};

/** The policies central runs: searched, filtered, switched on and off everywhere at once, exported, imported. */
export const Policies = () => {
  const [search, setSearch] = useParam('search');
  const [severity, setSeverity] = useParam('severity');
  const [stage, setStage] = useParam('stage');
  const [enabled, setEnabled] = useParam('enabled');
  const [open, setOpen] = useParam('policy');
  const filters = { search, severity, stage, enabled };
  const policies = usePolicies(filters);
  return (
    <>
      <h1>Policies</h1>
      <div className="toolbar">
        <SearchBox label="Search policies (id, name, description, category)" value={search} onChange={setSearch} />
        <SelectFilter label="Severity" value={severity} options={SEVERITY_ORDER} onChange={setSeverity} />
        <SelectFilter label="Lifecycle" value={stage} options={['BUILD', 'DEPLOY', 'RUNTIME']} onChange={setStage} />
        <SelectFilter
          label="State"
          value={enabled}
          options={[
            { value: 'true', label: 'enabled' },
            { value: 'false', label: 'disabled' },
          ]}
          onChange={setEnabled}
        />
        <button type="button" onClick={() => void download('/api/v1/policies', { ...filters, format: 'yaml' })}>
          Export YAML
        </button>
      </div>
      <Import />
      <Loaded query={policies} what="policies" empty="No policy matches." isEmpty={(data) => data.items.length === 0}>
        {(data) => (
          <>
            <p className="muted">{data.items.length} policies</p>
            <DataTable label="Policies" rows={data.items} columns={COLUMNS} rowId={(row) => row.id} onOpen={(row) => setOpen(row.id)} />
          </>
        )}
      </Loaded>
      {open ? <PolicyDrawer id={open} onClose={() => setOpen(undefined)} /> : null}
    </>
  );
};
