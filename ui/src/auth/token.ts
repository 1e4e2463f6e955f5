import { useSyncExternalStore } from 'react';

/**
 * The API token of this tab: from the link `kubeward server` prints (`#token=…`, a fragment, so it
 * never reaches a server log), or typed on the login page. Kept for the tab only (sessionStorage).
 */
const KEY = 'kubeward.token';
const listeners = new Set<() => void>();
let reason: string | undefined;

const notify = (): void => {
  for (const listener of listeners) listener();
};

export const currentToken = (): string | undefined => sessionStorage.getItem(KEY) ?? undefined;

export const useToken = (): string | undefined =>
  useSyncExternalStore((listener) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  }, currentToken);

/** Why the console last asked for a token (expired, revoked), for the login page to say. */
export const lastSignOutReason = (): string | undefined => reason;

export const rememberToken = (token: string): void => {
  sessionStorage.setItem(KEY, token.trim());
  reason = undefined;
  notify();
};

export const forgetToken = (why?: string): void => {
  sessionStorage.removeItem(KEY);
  reason = why;
  notify();
};

/** Takes `#token=…` from the address into the session and out of the address bar and history. */
export const adoptTokenFromLink = (): void => {
  const found = /(?:^#|&)token=([^&]+)/.exec(window.location.hash)?.[1];
  if (!found) return;
  rememberToken(decodeURIComponent(found));
  history.replaceState(history.state, '', window.location.pathname + window.location.search);
};
