import { useEffect, useRef, type ReactNode } from 'react';

/** A side panel over the screen: its address is shareable (the screen keeps it in a parameter); Escape closes it. */
export const Drawer = ({ title, onClose, children }: { readonly title: string; readonly onClose: () => void; readonly children: ReactNode }) => {
  const panel = useRef<HTMLElement>(null);
  useEffect(() => {
    panel.current?.focus();
    const onKey = (event: KeyboardEvent) => event.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <aside className="drawer" role="dialog" aria-modal="false" aria-label={title} tabIndex={-1} ref={panel}>
      <header className="drawer-header">
        <h2>{title}</h2>
        <button type="button" onClick={onClose} aria-label="Close">
          ×
        </button>
      </header>
      <div className="drawer-body">{children}</div>
    </aside>
  );
};
