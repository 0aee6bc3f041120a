import { useQuery } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, type ReactNode } from "react";
import { ApiError, call } from "../api";
import { percent } from "../format";

// ---- loading data -------------------------------------------------------------------------

export type Loaded<T> = {
  data: T | undefined;
  error: ApiError | null;
  loading: boolean;
  reload: () => void;
};

// GET `path` (null: nothing yet) through the query cache; with `everySeconds`, again on a timer
// while the page is visible, so figures change without a reload when the sync changes them.
// A new path never shows the previous path's data (switching SKU shows that SKU or a spinner).
export function useApi<T>(path: string | null, everySeconds?: number): Loaded<T> {
  const query = useQuery<T, ApiError>({
    queryKey: ["api", path],
    queryFn: ({ signal }) => call<T>(path as string, { signal }),
    enabled: path !== null,
    refetchInterval: everySeconds ? everySeconds * 1000 : false,
    refetchIntervalInBackground: false,
  });
  const { refetch } = query;
  const reload = useCallback(() => void refetch(), [refetch]);
  return {
    data: query.data,
    // A failed background refresh keeps the figures on screen; the error shows only when
    // there is nothing else to show.
    error: query.data === undefined ? query.error : null,
    loading: path !== null && query.isPending,
    reload,
  };
}

// ---- states -------------------------------------------------------------------------------

export function Loading({ what }: { what: string }) {
  return (
    <p className="state" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> Loading {what}…
    </p>
  );
}

export function ErrorState({ error, retry }: { error: ApiError; retry?: () => void }) {
  return (
    <div className="state state-error" role="alert">
      <p>
        <strong>{error.title || "Something went wrong"}.</strong> {error.message}
      </p>
      {retry && (
        <button type="button" className="button secondary" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="state state-empty">{children}</div>;
}

export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Licence Manager`;
    heading.current?.focus();
  }, [title]);
  return (
    <header className="page-header">
      <h1 tabIndex={-1} ref={heading}>
        {title}
      </h1>
      {children && <div className="page-header-extra">{children}</div>}
    </header>
  );
}

// ---- the three-dot menu ---------------------------------------------------------------------

// Drawn outside any scrolling box (components/DotsMenu.tsx).
export { DotsMenu, type MenuItem } from "./DotsMenu";

// ---- tables ------------------------------------------------------------------------------

// A table's scrolling box: a named region that takes keyboard focus, so someone without a mouse
// can scroll a wide table sideways (WCAG 2.1.1; axe's scrollable-region-focusable).
export function scrollable(label: string): { role: "region"; "aria-label": string; tabIndex: 0 } {
  return { role: "region", "aria-label": label, tabIndex: 0 };
}

// ---- form bits ----------------------------------------------------------------------------

export function FieldError({ id, message }: { id: string; message?: string }) {
  if (!message) return null;
  return (
    <p className="field-error" id={id}>
      {message}
    </p>
  );
}

export function UtilisationBar({ value }: { value: number }) {
  const pct = value * 100;
  const level = pct >= 95 ? "high" : pct >= 80 ? "medium" : "low";
  const shown = percent(value);
  return (
    <div className="bar" role="img" aria-label={`${shown} used`}>
      <div className={`bar-fill bar-${level}`} style={{ width: `${Math.min(pct, 100)}%` }} />
      <span className="bar-text">{shown}</span>
    </div>
  );
}
