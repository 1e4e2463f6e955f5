import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { CentralError } from './api/client.js';
import { Login } from './auth/Login.js';
import { adoptTokenFromLink, useToken } from './auth/token.js';
import { Audit } from './screens/admin/Audit.js';
import { Exceptions } from './screens/admin/Exceptions.js';
import { Tokens } from './screens/admin/Tokens.js';
import { Clusters } from './screens/clusters/Clusters.js';
import { Dashboard } from './screens/dashboard/Dashboard.js';
import { Policies } from './screens/policies/Policies.js';
import { Risk } from './screens/risk/Risk.js';
import { Violations } from './screens/violations/Violations.js';
import { Shell } from './shell/Shell.js';
import './styles.css';

adoptTokenFromLink();
// A link with a token opened in a tab already on the console changes the fragment only.
window.addEventListener('hashchange', adoptTokenFromLink);

const queries = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      // A refusal (4xx) is an answer, not a hiccup: shown at once, not retried.
      retry: (failures, error) => !(error instanceof CentralError && error.status < 500) && failures < 2,
    },
  },
});

const router = createBrowserRouter([
  {
    element: <Shell />,
    children: [
      { path: '/', element: <Dashboard /> },
      { path: '/risk', element: <Risk /> },
      { path: '/violations', element: <Violations /> },
      { path: '/policies', element: <Policies /> },
      { path: '/clusters', element: <Clusters /> },
      { path: '/exceptions', element: <Exceptions /> },
      { path: '/tokens', element: <Tokens /> },
      { path: '/audit', element: <Audit /> },
      { path: '*', element: <p className="state state-empty">No such screen. Pick one on the left.</p> },
    ],
  },
]);

const Console = () => {
  const token = useToken();
  if (!token) return <Login />;
  return <RouterProvider router={router} />;
};

const root = document.getElementById('root');
if (root)
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={queries}>
        <Console />
      </QueryClientProvider>
    </StrictMode>,
  );
