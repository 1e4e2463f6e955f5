import type { ColumnDef, RowSelectionState } from '@tanstack/react-table';
import { useState } from 'react';
import type { Violation } from '../../../../src/central/api/contract.js';
import { download } from '../../api/client.js';
import { useViolationAction, useViolationPages } from '../../api/queries.js';
import { selectColumn } from '../../components/DataTable.js';
import { SelectFilter } from '../../components/SelectFilter.js';
import { PagedTable } from '../../components/PagedTable.js';
import { SEVERITY_ORDER, SeverityBadge } from '../../components/Severity.js';
import { Failed } from '../../components/states.js';
import { useParam, useScope } from '../../shell/scope.js';
import { SearchBox } from '../../components/SearchBox.js';
import { ViolationDrawer } from './ViolationDrawer.js';

const day = (at: string): string => at.slice(0, 10);

const COLUMNS: ColumnDef<Violation, unknown>[] = [
  selectColumn<Violation>(),
  { id: 'severity', header: 'Severity', size: 90, cell: ({ row }) => <SeverityBadge severity={row.original.severity} /> },
  { id: 'policy', header: 'Policy', cell: ({ row }) => <span className="strong">{row.original.policy.name}</span> },
  {
    id: 'entity',
    header: 'Entity',
    cell: ({ row }) => `${row.original.namespace}/${row.original.object.name}${row.original.container ? ` (${row.original.container})` : ''}`,
  },
  { id: 'cluster', header: 'Cluster', cell: ({ row }) => row.original.cluster },
  { id: 'categories', header: 'Categories', cell: ({ row }) => row.original.categories.join(', ') },
  { id: 'enforced', header: 'Enforced', size: 70, cell: ({ row }) => (row.original.enforced ? 'yes' : 'no') },
  { id: 'state', header: 'State', size: 80, cell: ({ row }) => row.original.state },
  { id: 'firstSeen', header: 'First seen', size: 100, cell: ({ row }) => day(row.original.firstSeen) },
  { id: 'lastSeen', header: 'Last seen', size: 100, cell: ({ row }) => day(row.original.lastSeen) },
];

const STATES = ['active', 'snoozed', 'excepted', 'resolved'] as const;

/** Bulk actions on the selected violations: resolve, snooze until a date, ask for an exception with a reason and an expiry. */
const BulkActions = ({ ids, done }: { readonly ids: readonly string[]; readonly done: () => void }) => {
  const action = useViolationAction();
  const [until, setUntil] = useState('');
  const [reason, setReason] = useState('');
  const untilIso = until ? new Date(`${until}T00:00:00Z`).toISOString() : undefined;
  const run = (body: Parameters<typeof action.mutate>[0]) => action.mutate(body, { onSuccess: done });
  return (
    <div className="bulk" role="group" aria-label="Bulk actions">
      <span>{ids.length} selected</span>
      <button type="button" disabled={ids.length === 0 || action.isPending} onClick={() => run({ ids: [...ids], action: 'resolve' })}>
        Resolve
      </button>
      <label>
        until <input type="date" value={until} onChange={(event) => setUntil(event.target.value)} />
      </label>
      <button
        type="button"
        disabled={ids.length === 0 || !untilIso || action.isPending}
        onClick={() => untilIso && run({ ids: [...ids], action: 'snooze', until: untilIso })}
      >
        Snooze
      </button>
      <input
        type="text"
        aria-label="Reason for the exception"
        placeholder="Reason for an exception"
        value={reason}
        onChange={(event) => setReason(event.target.value)}
      />
      <button
        type="button"
        disabled={ids.length === 0 || !reason.trim() || action.isPending}
        onClick={() => run({ ids: [...ids], action: 'except', reason: reason.trim(), ...(untilIso ? { until: untilIso } : {}) })}
      >
        Request exception
      </button>
      {action.error ? <Failed error={action.error} action /> : null}
      {action.data ? <span role="status">{action.data.changed} changed</span> : null}
    </div>
  );
};

/** Triage: every violation in scope, filtered, searched by substring, sorted on the server; bulk actions; CSV export. */
export const Violations = () => {
  const scope = useScope();
  const [state, setState] = useParam('state');
  const [severity, setSeverity] = useParam('severity');
  const [search, setSearch] = useParam('search');
  const [sort, setSort] = useParam('sort');
  const [open, setOpen] = useParam('violation');
  const [selected, setSelected] = useState<RowSelectionState>({});
  const filters = { ...scope, state, severity, search, sort };
  const pages = useViolationPages(filters);
  const ids = Object.keys(selected).filter((id) => selected[id]);
  return (
    <>
      <h1>Violations</h1>
      <div className="toolbar">
        <SearchBox label="Search violations (policy, object, namespace, container, message)" value={search} onChange={setSearch} />
        <label>
          State
          <select value={state ?? 'active'} onChange={(event) => setState(event.target.value === 'active' ? undefined : event.target.value)}>
            {STATES.map((entry) => (
              <option key={entry} value={entry}>
                {entry}
              </option>
            ))}
            <option value={STATES.join(',')}>any</option>
          </select>
        </label>
        <SelectFilter label="Severity" value={severity} options={SEVERITY_ORDER} onChange={setSeverity} />
        <button type="button" onClick={() => void download('/api/v1/violations', { ...filters, format: 'csv' })}>
          Export CSV
        </button>
      </div>
      <BulkActions ids={ids} done={() => setSelected({})} />
      <PagedTable
        pages={pages}
        what="violations"
        empty="No violation matches."
        label="Violations"
        columns={COLUMNS}
        rowId={(row) => row.id}
        onOpen={(row) => setOpen(row.id)}
        selection={{ value: selected, onChange: setSelected }}
        sort={{
          current: sort ?? 'severity',
          byColumn: { severity: 'severity', policy: 'policy', firstSeen: 'firstSeen', lastSeen: 'lastSeen' },
          onChange: setSort,
        }}
      />
      {open ? <ViolationDrawer id={open} onClose={() => setOpen(undefined)} /> : null}
    </>
  );
};
