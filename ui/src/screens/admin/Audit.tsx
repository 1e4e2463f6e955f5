import type { ColumnDef } from '@tanstack/react-table';
import type { AuditEntry } from '../../../../src/central/api/contract.js';
import { useAudit } from '../../api/queries.js';
import { PagedTable } from '../../components/PagedTable.js';
import { useParam } from '../../shell/scope.js';
import { SearchBox } from '../../components/SearchBox.js';

const COLUMNS: ColumnDef<AuditEntry, unknown>[] = [
  { id: 'at', header: 'When', size: 170, cell: ({ row }) => <time dateTime={row.original.at}>{row.original.at.replace('T', ' ').slice(0, 19)}</time> },
  { id: 'actor', header: 'Who', cell: ({ row }) => row.original.actor },
  { id: 'action', header: 'What', cell: ({ row }) => <span className="strong">{row.original.action}</span> },
  { id: 'target', header: 'On', cell: ({ row }) => row.original.target },
  { id: 'detail', header: 'Detail', cell: ({ row }) => <code title={JSON.stringify(row.original.detail)}>{JSON.stringify(row.original.detail)}</code> },
];

/** Every change central records, newest first: by whom, to what. */
export const Audit = () => {
  const [actor, setActor] = useParam('actor');
  const [action, setAction] = useParam('action');
  const pages = useAudit({ actor, action });
  return (
    <>
      <h1>Audit log</h1>
      <div className="toolbar">
        <SearchBox label="Actor (exactly, e.g. token:bootstrap-admin)" value={actor} onChange={setActor} />
        <SearchBox label="Action (exactly, e.g. violation.resolve)" value={action} onChange={setAction} />
      </div>
      <PagedTable pages={pages} what="the audit log" empty="Nothing recorded yet." label="Audit log" columns={COLUMNS} rowId={(row) => row.id} />
    </>
  );
};
