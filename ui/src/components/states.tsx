import type { ReactNode } from 'react';
import { CentralError } from '../api/client.js';

export const Loading = ({ what }: { readonly what: string }) => (
  <div className="state state-loading" role="status" aria-live="polite">
    <span className="spinner" aria-hidden="true" /> Loading {what}…
  </div>
);

export const Empty = ({ children }: { readonly children: ReactNode }) => <div className="state state-empty">{children}</div>;

/**
 * An API error as the API put it (code and message). A 403 is its own state (the token's role or
 * scope, not a fault); `action` words it for something the user did rather than loaded.
 */
export const Failed = ({ error, retry, action }: { readonly error: unknown; readonly retry?: () => void; readonly action?: boolean }) => {
  const forbidden = error instanceof CentralError && error.status === 403;
  const code = error instanceof CentralError ? error.code : 'network';
  const message = error instanceof Error ? error.message : String(error);
  const title = forbidden ? 'Not for this token.' : action ? 'Not done:' : 'Could not load this:';
  return (
    <div className={forbidden ? 'state state-forbidden' : 'state state-error'} role="alert">
      <strong>{title}</strong> <code>{code}</code> {message}
      {retry ? (
        <button type="button" onClick={retry}>
          Try again
        </button>
      ) : null}
    </div>
  );
};

/** One of the four states of anything loaded: loading, failed, empty, or the content. */
export const Loaded = <T,>({
  query,
  what,
  empty,
  isEmpty,
  children,
}: {
  readonly query: { readonly data: T | undefined; readonly error: unknown; readonly isPending: boolean; readonly refetch: () => unknown };
  readonly what: string;
  readonly empty: ReactNode;
  readonly isEmpty: (data: T) => boolean;
  readonly children: (data: T) => ReactNode;
}) => {
  if (query.isPending) return <Loading what={what} />;
  if (query.error || query.data === undefined) return <Failed error={query.error} retry={() => void query.refetch()} />;
  if (isEmpty(query.data)) return <Empty>{empty}</Empty>;
  return <>{children(query.data)}</>;
};
