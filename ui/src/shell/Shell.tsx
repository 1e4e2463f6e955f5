import { NavLink, Outlet } from 'react-router';
import { forgetToken } from '../auth/token.js';
import { ScopeBar } from './ScopeBar.js';
import { scopeQuery, useScope } from './scope.js';

const SCREENS = [
  { path: '/', label: 'Dashboard' },
  { path: '/risk', label: 'Risk' },
  { path: '/violations', label: 'Violations' },
  { path: '/policies', label: 'Policies' },
  { path: '/clusters', label: 'Clusters' },
  { path: '/exceptions', label: 'Exceptions' },
  { path: '/tokens', label: 'API tokens' },
  { path: '/audit', label: 'Audit log' },
] as const;

/** Navigation, the scope bar and the screen. */
export const Shell = () => {
  const scope = useScope();
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top-bar">
        <span className="brand">Kubeward</span>
        <ScopeBar />
        <button type="button" className="link-button" onClick={() => forgetToken('You signed out.')}>
          Sign out
        </button>
      </header>
      <nav className="side-nav" aria-label="Screens">
        <ul>
          {SCREENS.map((screen) => (
            <li key={screen.path}>
              <NavLink to={{ pathname: screen.path, search: scopeQuery(scope) }} end={screen.path === '/'}>
                {screen.label}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" className="screen" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
};
