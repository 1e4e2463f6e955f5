import { useState, type FormEvent } from 'react';
import type { NewToken } from '../../../../src/central/api/contract.js';
import { useTokenChange, useTokens } from '../../api/queries.js';
import { Failed, Loaded } from '../../components/states.js';

const ROLES = ['admin', 'analyst', 'viewer', 'sensor', 'ci', 'admission'] as const;

/** Make a token (its secret shown here once), scoped to a cluster or namespace, with an expiry. */
const NewTokenForm = () => {
  const { create } = useTokenChange();
  const [form, setForm] = useState({ name: '', role: 'viewer' as NewToken['role'], cluster: '', namespace: '', days: '' });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({
      name: form.name.trim(),
      role: form.role,
      ...(form.cluster.trim() ? { cluster: form.cluster.trim() } : {}),
      ...(form.namespace.trim() ? { namespace: form.namespace.trim() } : {}),
      ...(form.days ? { expiresInDays: Number(form.days) } : {}),
    });
  };
  return (
    <form className="toolbar card" onSubmit={submit} aria-label="New token">
      <label>
        Name <input required value={form.name} onChange={(event) => setForm({ ...form, name: event.target.value })} />
      </label>
      <label>
        Role
        <select value={form.role} onChange={(event) => setForm({ ...form, role: event.target.value as NewToken['role'] })}>
          {ROLES.map((role) => (
            <option key={role}>{role}</option>
          ))}
        </select>
      </label>
      <label>
        Cluster <input value={form.cluster} onChange={(event) => setForm({ ...form, cluster: event.target.value })} placeholder="any" />
      </label>
      <label>
        Namespace <input value={form.namespace} onChange={(event) => setForm({ ...form, namespace: event.target.value })} placeholder="any" />
      </label>
      <label>
        Expires in days <input type="number" min={1} max={3650} value={form.days} onChange={(event) => setForm({ ...form, days: event.target.value })} />
      </label>
      <button type="submit" disabled={!form.name.trim() || create.isPending}>
        Make token
      </button>
      {create.error ? <Failed error={create.error} action /> : null}
      {create.data ? (
        <p role="status" className="secret">
          Token <strong>{create.data.token.name}</strong>, shown this once: <code>{create.data.secret}</code>
        </p>
      ) : null}
    </form>
  );
};

/** API tokens: role, scope, expiry, last use; make and revoke. Secrets are never listed. */
export const Tokens = () => {
  const tokens = useTokens();
  const { revoke } = useTokenChange();
  return (
    <>
      <h1>API tokens</h1>
      <NewTokenForm />
      <Loaded query={tokens} what="tokens" empty="No token." isEmpty={(data) => data.items.length === 0}>
        {(data) => (
          <table className="data-table" aria-label="API tokens">
            <thead>
              <tr>
                {['Name', 'Role', 'Scope', 'Made', 'By', 'Expires', 'Last used', 'State', ''].map((title) => (
                  <th key={title} scope="col">
                    {title}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {data.items.map((token) => (
                <tr key={token.id}>
                  <th scope="row">{token.name}</th>
                  <td>{token.role}</td>
                  <td>{[token.scope.cluster, token.scope.namespace].filter(Boolean).join('/') || 'everything'}</td>
                  <td>{token.createdAt.slice(0, 10)}</td>
                  <td>{token.createdBy}</td>
                  <td>{token.expiresAt?.slice(0, 10) ?? 'never'}</td>
                  <td>{token.lastUsedAt?.slice(0, 16).replace('T', ' ') ?? 'never'}</td>
                  <td>{token.revokedAt ? 'revoked' : 'live'}</td>
                  <td>
                    {token.revokedAt ? null : (
                      <button type="button" onClick={() => revoke.mutate(token.id)} aria-label={`Revoke ${token.name}`}>
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Loaded>
      {revoke.error ? <Failed error={revoke.error} action /> : null}
    </>
  );
};
