import type { ColumnDef } from '@tanstack/react-table';
import { useState } from 'react';
import type { PolicyException } from '../../../../src/central/api/contract.js';
import { useExceptionDecision, useExceptions } from '../../api/queries.js';
import { SelectFilter } from '../../components/SelectFilter.js';
import { PagedTable } from '../../components/PagedTable.js';
import { Failed } from '../../components/states.js';
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
  return (
    <>
      <h1>Exceptions</h1>
      <div className="toolbar">
        <SelectFilter label="State" value={state} options={['requested', 'approved', 'denied', 'revoked', 'expired']} onChange={setState} />
        <span className="muted">Ask for one from the Violations screen (select violations, give a reason, Request exception).</span>
      </div>
      <PagedTable pages={pages} what="exceptions" empty="No exception." label="Exceptions" columns={COLUMNS} rowId={(row) => row.id} />
    </>
  );
};
