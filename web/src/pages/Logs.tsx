import { useEffect, useState } from "react";
import { ApiError, call, type Licence, type LogEntry } from "../api";
import { Empty, ErrorState, Loading, PageHeader, useApi } from "../components/common";
import { useCustomerPath } from "../context";
import { action, source, when } from "../format";
import { navigate, useLocation } from "../router";

const PAGE = 25;

export function Logs() {
  const base = useCustomerPath();
  const { query } = useLocation();
  const skuId = query.get("sku") ?? "";
  const licences = useApi<Licence[]>(`${base}/licences`);
  const [entries, setEntries] = useState<LogEntry[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [attempt, setAttempt] = useState(0);

  async function load(after: string | null, replace: boolean) {
    setBusy(true);
    setError(null);
    const params = new URLSearchParams({ limit: String(PAGE) });
    if (skuId) params.set("skuId", skuId);
    if (after) params.set("cursor", after);
    try {
      const page = await call<{ entries: LogEntry[]; nextCursor: string | null }>(
        `${base}/logs?${params}`,
      );
      setEntries((old) => (replace || !old ? page.entries : [...old, ...page.entries]));
      setCursor(page.nextCursor);
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  }

  useEffect(() => {
    setEntries(null);
    void load(null, true);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [base, skuId, attempt]);

  return (
    <>
      <PageHeader title="Logs">
        <p className="muted">Everything that happened to your licences, newest first.</p>
      </PageHeader>
      <div className="toolbar">
        <div className="field inline">
          <label htmlFor="logs-sku">Licence</label>
          <select
            id="logs-sku"
            value={skuId}
            onChange={(e) =>
              navigate(e.target.value ? `/logs?sku=${encodeURIComponent(e.target.value)}` : "/logs", true)
            }
          >
            <option value="">All licences and account changes</option>
            {licences.data?.map((l) => (
              <option key={l.skuId} value={l.skuId}>
                {l.skuName}
              </option>
            ))}
            <option value="customer">Account changes (recipients)</option>
          </select>
        </div>
      </div>
      {error && <ErrorState error={error} retry={() => setAttempt((n) => n + 1)} />}
      {entries === null && !error && <Loading what="the log" />}
      {entries && entries.length === 0 && <Empty>Nothing has been logged yet.</Empty>}
      {entries && entries.length > 0 && (
        <div className="table-wrap">
          <table className="logs">
            <caption className="visually-hidden">Audit log, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Licence</th>
                <th scope="col">What</th>
                <th scope="col">Who</th>
                <th scope="col" className="num">
                  Seats before → after
                </th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id}>
                  <td>
                    <time dateTime={e.at}>{when(e.at)}</time>
                  </td>
                  <td>{e.skuName}</td>
                  <td>
                    {action(e.action, e.source)}
                    <span className="muted small"> · {source(e.source)}</span>
                  </td>
                  <td>{e.actor}</td>
                  <td className="num">
                    {e.seatsBefore === null && e.seatsAfter === null
                      ? "—"
                      : `${e.seatsBefore ?? "—"} → ${e.seatsAfter ?? "—"}`}
                  </td>
                  <td className="message">{e.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor && (
        <p>
          <button type="button" className="button secondary" disabled={busy} onClick={() => void load(cursor, false)}>
            {busy ? "Loading…" : "Show older entries"}
          </button>
        </p>
      )}
    </>
  );
}
