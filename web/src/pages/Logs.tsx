import { useInfiniteQuery } from "@tanstack/react-query";
import { ApiError, call, type Licence, type LogEntry } from "../api";
import { Empty, ErrorState, Loading, PageHeader, useApi } from "../components/common";
import { useCustomerPath } from "../context";
import { action, source, when } from "../format";
import { navigate, useLocation } from "../router";

const PAGE = 25;

type LogPage = { entries: LogEntry[]; nextCursor: string | null };

export function Logs() {
  const base = useCustomerPath();
  const { query } = useLocation();
  const skuId = query.get("sku") ?? "";
  const licences = useApi<Licence[]>(`${base}/licences`);
  // Keyed by customer and SKU: switching SKU starts from its own first page, never showing the
  // previous SKU's entries meanwhile.
  const log = useInfiniteQuery<LogPage, ApiError>({
    queryKey: ["logs", base, skuId],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => {
      const params = new URLSearchParams({ limit: String(PAGE) });
      if (skuId) params.set("skuId", skuId);
      if (pageParam) params.set("cursor", pageParam as string);
      return call<LogPage>(`${base}/logs?${params}`, { signal });
    },
    getNextPageParam: (last) => last.nextCursor,
  });
  const entries = log.data?.pages.flatMap((p) => p.entries) ?? null;
  const error = log.error;
  const cursor = log.hasNextPage;
  const busy = log.isFetchingNextPage;

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
      {error && <ErrorState error={error} retry={() => void log.refetch()} />}
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
          <button type="button" className="button secondary" disabled={busy} onClick={() => void log.fetchNextPage()}>
            {busy ? "Loading…" : "Show older entries"}
          </button>
        </p>
      )}
    </>
  );
}
