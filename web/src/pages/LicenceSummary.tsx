import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { call, type ApiError, type Licence } from "../api";
import type { LicenceSummary as Figures, SyncStatus } from "../freshness";
import { count, money, percent, seats } from "../format";

// "Checked with Google at 14:03, every 5 minutes." (the server's sentence, from the heartbeat),
// and, while not yet stale, why the latest check did not complete. Stale: the banner says it.
export function Freshness({ sync }: { sync: SyncStatus | undefined }) {
  if (!sync) return null;
  return (
    <>
      <span>{sync.summary}</span>
      {sync.state === "fresh" && sync.reason && (
        <span className="freshness-problem"> The latest check did not complete: {sync.reason}</span>
      )}
    </>
  );
}

// The summary over every licence: read again only when a figure in the table changed.
export function Summary({ path, licences }: { path: string; licences: Licence[] }) {
  const fingerprint = licences
    .map((l) => `${l.skuId}:${l.planName}:${l.status}:${l.total}:${l.assigned}`)
    .join("|");
  const summary = useQuery<Figures, ApiError>({
    queryKey: ["api", path, fingerprint],
    queryFn: ({ signal }) => call<Figures>(path, { signal }),
    placeholderData: keepPreviousData,
    // Its key changes with the figures; otherwise only prices could move it, rarely.
    staleTime: 5 * 60_000,
  });
  const data = summary.data;
  if (!data) return null;
  return (
    <p className="licence-summary" data-testid="licence-summary" title={data.note}>
      <span>{seats(data.skus, "licence type")}</span>
      <span>{seats(data.seats)}</span>
      <span>{count(data.assigned)} assigned</span>
      <span>{count(data.vacant)} vacant</span>
      <span>{percent(data.utilisation)} in use</span>
      <span>
        about {money(data.estimatedMonthlySpendMinor, data.currency)} a month{" "}
        <span className="muted">
          (estimate, excluding VAT{data.pricesMissing ? "; some prices not set" : ""})
        </span>
      </span>
    </p>
  );
}

