// My Licences' two summaries from the API (api/freshness_routes.py): how fresh the figures are,
// from the sync's own heartbeat, and the figures over all of a customer's licences.
import { useApi } from "./components/common";

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
  currency: string;
  estimatedMonthlySpendMinor: number;
  pricesMissing: boolean;
  unpricedSkus: string[];
  notBilledSkus: string[];
  note: string;
};

// The heartbeat moves once a sync interval (minutes): once a minute is often enough, and the
// banner and My Licences share the one request.
const SYNC_STATUS_SECONDS = 60;

export function useSyncStatus(customerId: string | null) {
  return useApi<SyncStatus>(
    customerId ? `/customers/${encodeURIComponent(customerId)}/sync-status` : null,
    SYNC_STATUS_SECONDS,
  );
}
