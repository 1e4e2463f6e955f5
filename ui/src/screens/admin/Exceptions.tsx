import type { ColumnDef } from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import type { PolicyException } from '../../../../src/central/api/contract.js';
import { useExceptionDecision, useExceptions } from '../../api/queries.js';
import { DataTable } from '../../components/DataTable.js';
import { Failed, Loaded } from '../../components/states.js';
import { useParam } from '../../shell/scope.js';

const scopeText = (exception: PolicyException): string =>
  [exception.scope.cluster, exception.scope.namespace, exception.scope.kind, exception.scope.name, exception.scope.image && `image ${exception.scope.image}`]
    .filter(Boolean)
    .join(' / ') || 'everywhere';

/** Approve (not one's own), deny or revoke, with an optional comment for the record. */
const Decide = ({ exception }: { readonly exception: PolicyException }) => {
  const decide = useExceptionDecision();
  const [comment, setComment] = useState('');
  const run = (decision: 'approve' | 'deny' | 'revoke') =>
    decide.mutate({ id: exception.id, decision, ...(comment.trim() ? { comment: comment.trim() } : {}) });
  return (
    <span className="row-actions">
      {exception.state === 'requested' ? (
        <>
          <input
            type="text"
            aria-label={`Comment on exception ${exception.id}`}
            placeholder="Comment"
            value={comment}
            onChange={(event) => setComment(event.target.value)}
          />
          <button type="button" disabled={decide.isPending} onClick={() => run('approve')}>
            Approve
          </button>
          <button type="button" disabled={decide.isPending} onClick={() => run('deny')}>
            Deny
          </button>
        </>
      ) : null}
      {exception.state === 'requested' || exception.state === 'approved' ? (
        <button type="button" disabled={decide.isPending} onClick={() => run('revoke')}>
          Revoke
        </button>
      ) : null}
      {decide.error ? <Failed error={decide.error} action /> : null}
    </span>
  );
};

const COLUMNS: ColumnDef<PolicyException, unknown>[] = [
  { id: 'policy', header: 'Policy', cell: ({ row }) => <span className="strong">{row.original.policy}</span> },
  { id: 'scope', header: 'Scope', cell: ({ row }) => scopeText(row.original) },
  { id: 'reason', header: 'Why', cell: ({ row }) => <span title={row.original.reason}>{row.original.reason}</span> },
  { id: 'requestedBy', header: 'Asked by', cell: ({ row }) => row.original.requestedBy },
  { id: 'state', header: 'State', cell: ({ row }) => row.original.state },
  { id: 'decidedBy', header: 'Decided by', cell: ({ row }) => row.original.decidedBy ?? '–' },
  { id: 'expiresAt', header: 'Expires', cell: ({ row }) => row.original.expiresAt?.slice(0, 10) ?? 'never' },
  { id: 'actions', header: 'Actions', size: 320, cell: ({ row }) => <Decide exception={row.original} /> },
];

/** Exceptions: who asked, why, until when, who decided; approve, deny, revoke. */
export const Exceptions = () => {
  const [state, setState] = useParam('state');
  const pages = useExceptions(state);
  const rows = useMemo(() => pages.data?.pages.flatMap((page) => page.items) ?? [], [pages.data]);
  return (
    <>
      <h1>Exceptions</h1>
      <div className="toolbar">
        <label>
          State
          <select value={state ?? ''} onChange={(event) => setState(event.target.value || undefined)}>
            <option value="">any</option>
            {['requested', 'approved', 'denied', 'revoked', 'expired'].map((entry) => (
              <option key={entry} value={entry}>
                {entry}
              </option>
            ))}
          </select>
        </label>
        <span className="muted">Ask for one from the Violations screen (select violations, give a reason, Request exception).</span>
      </div>
      <Loaded query={{ ...pages, data: rows }} what="exceptions" empty="No exception." isEmpty={(data) => data.length === 0}>
        {(data) => (
          <DataTable
            label="Exceptions"
            rows={data}
            columns={COLUMNS}
            rowId={(row) => row.id}
            more={{ has: pages.hasNextPage, loading: pages.isFetchingNextPage, load: () => void pages.fetchNextPage() }}
          />
        )}
      </Loaded>
    </>
  );
};
