import { useState } from 'react';
import { lastSignOutReason, rememberToken } from './token.js';

/** Asks for an API token: the one `kubeward server` printed at first start, or one made under API tokens. */
export const Login = () => {
  const [token, setToken] = useState('');
  const reason = lastSignOutReason();
  return (
    <main className="login" id="main">
      <h1>Kubeward</h1>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (token.trim()) rememberToken(token);
        }}
      >
        {reason ? (
          <p className="state state-error" role="alert">
            {reason}
          </p>
        ) : null}
        <label htmlFor="token">API token</label>
        <input id="token" type="password" autoComplete="off" placeholder="kw_…" value={token} onChange={(event) => setToken(event.target.value)} />
        <p className="muted">
          The first start of <code>kubeward server</code> prints an admin token and a link that signs in with it. The token stays in this tab only.
        </p>
        <button type="submit" disabled={!token.trim()}>
          Sign in
        </button>
      </form>
    </main>
  );
};
