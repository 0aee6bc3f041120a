// The Logs page's filter: kept in the address (?sku=&type=) so a shared link shows the same
// entries, and sent to the API as the same filter for the page and its CSV.
import { count } from "./format";

export type LogFilter = { skuId: string; type: string };

export function filterFrom(query: URLSearchParams): LogFilter {
  return { skuId: query.get("sku") ?? "", type: query.get("type") ?? "" };
}

// The page's own address for a filter: "/logs", "/logs?sku=1010020028&type=TOP_UP_APPLIED".
export function logsPath(filter: LogFilter): string {
  const params = new URLSearchParams();
  if (filter.skuId) params.set("sku", filter.skuId);
  if (filter.type) params.set("type", filter.type);
  const query = params.toString();
  return query ? `/logs?${query}` : "/logs";
}

// The API's query for a filter: page size and cursor for the list, neither for the CSV.
export function apiQuery(filter: LogFilter, page?: { limit: number; cursor: string | null }): string {
  const params = new URLSearchParams();
  if (page) params.set("limit", String(page.limit));
  if (filter.skuId) params.set("skuId", filter.skuId);
  if (filter.type) params.set("type", filter.type);
  if (page?.cursor) params.set("cursor", page.cursor);
  const query = params.toString();
  return query ? `?${query}` : "";
}

// "8 → 10"; a licence found has no "before": "30 seats", not "— → 30".
export function seatsChange(before: number | null, after: number | null): string {
  if (before === null && after === null) return "—";
  if (before === null) return `${count(after)} ${after === 1 ? "seat" : "seats"}`;
  if (after === null) return `${count(before)} before`;
  return `${count(before)} → ${count(after)}`;
}
