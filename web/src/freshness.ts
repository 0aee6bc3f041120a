// My Licences' two summaries from the API (api/freshness_routes.py): how fresh the figures are,
// from the sync's own heartbeat, and the figures over all of a customer's licences.
import { useQuery } from "@tanstack/react-query";
import { call, type ApiError } from "./api";
import type { Loaded } from "./components/common";

export type SyncStatus = {
  state: "fresh" | "stale" | "unknown";
  checkedAt: string | null;
  intervalSeconds: number | null;
  staleAfterSeconds: number | null;
  reason: string | null;
  summary: string; // "Checked with Google at 14:03, every 5 minutes."
  warning: string | null; // set when stale or never checked: the banner's text
  timeZone: string;
};

export type LicenceSummary = {
  skus: number;
  seats: number;
  assigned: number;
  vacant: number;
  utilisation: number; // assigned over seats, 0..1
  currency: string;
  estimatedMonthlySpendMinor: number;
  pricesMissing: boolean;
  unpricedSkus: string[];
  notBilledSkus: string[];
  note: string;
};

// The heartbeat moves once a sync interval (minutes): once a minute is often enough, and the
// banner and My Licences share the one request (a page change does not ask again).
const SYNC_STATUS_SECONDS = 60;

export function useSyncStatus(customerId: string | null): Loaded<SyncStatus> {
  const path = customerId ? `/customers/${encodeURIComponent(customerId)}/sync-status` : null;
  const query = useQuery<SyncStatus, ApiError>({
    queryKey: ["api", path],
    queryFn: ({ signal }) => call<SyncStatus>(path as string, { signal }),
    enabled: path !== null,
    refetchInterval: SYNC_STATUS_SECONDS * 1000,
    refetchIntervalInBackground: false,
    staleTime: SYNC_STATUS_SECONDS * 1000,
  });
  return {
    data: query.data,
    error: query.data === undefined ? query.error : null,
    loading: path !== null && query.isPending,
    reload: () => void query.refetch(),
  };
}
