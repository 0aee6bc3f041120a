import { useInfiniteQuery } from "@tanstack/react-query";
import { useState } from "react";
import { ApiError, call, download, type Licence, type LogEntry } from "../api";
import { Empty, ErrorState, Loading, PageHeader, scrollable, useApi } from "../components/common";
import { useCustomerPath } from "../context";
import { action, actionTypes, source, timeZone, when } from "../format";
import { apiQuery, filterFrom, logsPath, seatsChange, type LogFilter } from "../logFilter";
import { navigate, useAddressState, useLocation } from "../router";

const PAGE = 25;

type LogPage = { entries: LogEntry[]; nextCursor: string | null };

export function Logs() {
  const base = useCustomerPath();
  const { query } = useLocation();
  const [filter, setFilter] = useAddressState(filterFrom(query), (f) => `${f.skuId}|${f.type}`);
  const licences = useApi<Licence[]>(`${base}/licences`);
  // Keyed by customer, SKU and type: changing the filter starts from its own first page, never
  // showing the previous filter's entries meanwhile (a late answer lands in its own cache).
  const log = useInfiniteQuery<LogPage, ApiError>({
    queryKey: ["logs", base, filter.skuId, filter.type],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) =>
      call<LogPage>(`${base}/logs${apiQuery(filter, { limit: PAGE, cursor: pageParam as string | null })}`, {
        signal,
      }),
    getNextPageParam: (last) => last.nextCursor,
  });
  const entries = log.data?.pages.flatMap((p) => p.entries) ?? null;
  const error = log.error;
  const filtered = filter.skuId !== "" || filter.type !== "";
  const change = (next: Partial<LogFilter>) => {
    const chosen = { ...filter, ...next };
    setFilter(chosen);
    navigate(logsPath(chosen), true);
  };

  return (
    <>
      <PageHeader title="Logs">
        <p className="muted">
          Everything that happened to your licences, newest first. Times are in {timeZone()} time.
        </p>
      </PageHeader>
      <div className="toolbar">
        <div className="field inline">
          <label htmlFor="logs-sku">Licence</label>
          <select id="logs-sku" value={filter.skuId} onChange={(e) => change({ skuId: e.target.value })}>
            <option value="">All licences and account changes</option>
            {licences.data?.map((l) => (
              <option key={l.skuId} value={l.skuId}>
                {l.skuName}
              </option>
            ))}
            <option value="customer">Account changes (recipients)</option>
          </select>
        </div>
        <div className="field inline">
          <label htmlFor="logs-type">Event</label>
          <select id="logs-type" value={filter.type} onChange={(e) => change({ type: e.target.value })}>
            <option value="">All events</option>
            {actionTypes().map((t) => (
              <option key={t.value} value={t.value}>
                {t.label}
              </option>
            ))}
          </select>
        </div>
        <DownloadCsv path={`${base}/logs.csv${apiQuery(filter)}`} />
      </div>
      {error && <ErrorState error={error} retry={() => void log.refetch()} />}
      {entries === null && !error && <Loading what="the log" />}
      {entries && entries.length === 0 && (
        <Empty>{filtered ? "Nothing matches this filter." : "Nothing has been logged yet."}</Empty>
      )}
      {entries && entries.length > 0 && (
        <div className="table-wrap" {...scrollable("Audit log")}>
          <table className="logs">
            <caption className="visually-hidden">Audit log, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Licence</th>
                <th scope="col">What</th>
                <th scope="col">Who</th>
                <th scope="col" className="num">
                  Seats
                </th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id} data-action={e.action}>
                  <td className="when">
                    <time dateTime={e.at}>{when(e.at)}</time>
                  </td>
                  <td>{e.skuName}</td>
                  <td>
                    {e.actionLabel ?? action(e.action, e.source)}
                    <span className="muted small source">{e.sourceLabel ?? source(e.source)}</span>
                  </td>
                  <td className="who">{e.actor}</td>
                  <td className="num nowrap">{seatsChange(e.seatsBefore, e.seatsAfter)}</td>
                  <td className="message">{e.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {log.hasNextPage && (
        <p>
          <button
            type="button"
            className="button secondary"
            disabled={log.isFetchingNextPage}
            onClick={() => void log.fetchNextPage()}
          >
            {log.isFetchingNextPage ? "Loading…" : "Show older entries"}
          </button>
        </p>
      )}
    </>
  );
}

// The whole log under the current filter, not only the entries shown.
function DownloadCsv({ path }: { path: string }) {
  const [state, setState] = useState<{ busy: boolean; text: string | null; failed: boolean }>({
    busy: false,
    text: null,
    failed: false,
  });

  async function save() {
    setState({ busy: true, text: null, failed: false });
    try {
      const name = await download(path, "licence-log.csv");
      setState({ busy: false, text: `Downloaded ${name}.`, failed: false });
    } catch (e) {
      setState({ busy: false, text: `The download failed: ${(e as ApiError).message}`, failed: true });
    }
  }

  return (
    <div className="field inline download">
      <button type="button" className="button secondary" disabled={state.busy} onClick={() => void save()}>
        {state.busy ? "Preparing…" : "Download CSV"}
      </button>
      <span className={state.failed ? "field-error small" : "muted small"} role="status">
        {state.text}
      </span>
    </div>
  );
}
