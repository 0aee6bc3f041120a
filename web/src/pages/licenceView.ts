// My Licences' sort and filters, kept in the address (?q=&status=&use=&sort=) so a filtered,
// sorted list can be shared as a link. Pure: the page reads and writes the query through these.

export type SortKey = "name" | "name-desc" | "use-desc" | "use" | "status";
export type UseFilter = "all" | "95" | "80" | "under80" | "under50";
export type LicenceView = { q: string; status: string; use: UseFilter; sort: SortKey };
type Row = { skuId: string; skuName: string; status: string; utilisation: number };

export const DEFAULT_VIEW: LicenceView = { q: "", status: "all", use: "all", sort: "name" };

export const SORTS: { value: SortKey; label: string }[] = [
  { value: "name", label: "Name, A to Z" },
  { value: "name-desc", label: "Name, Z to A" },
  { value: "use-desc", label: "Utilisation, highest first" },
  { value: "use", label: "Utilisation, lowest first" },
  { value: "status", label: "Status" },
];

export const USE_FILTERS: { value: UseFilter; label: string }[] = [
  { value: "all", label: "Any utilisation" },
  { value: "95", label: "95% or more" },
  { value: "80", label: "80% or more" },
  { value: "under80", label: "Under 80%" },
  { value: "under50", label: "Under 50%" },
];

// In the order the status sort puts them: what needs attention after what is working.
export const STATUSES = ["ACTIVE", "PENDING", "SUSPENDED", "REMOVED"];

function oneOf<T extends string>(value: string | null, allowed: readonly T[], fallback: T): T {
  return value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

// What the address asks for; anything unknown (an old or mistyped link) is the default.
export function viewFrom(query: URLSearchParams): LicenceView {
  return {
    q: (query.get("q") ?? "").slice(0, 100),
    status: oneOf(query.get("status"), ["all", ...STATUSES], "all"),
    use: oneOf(query.get("use"), USE_FILTERS.map((u) => u.value), "all"),
    sort: oneOf(query.get("sort"), SORTS.map((s) => s.value), "name"),
  };
}

// The query for a view: other parameters kept, defaults left out so the plain page stays "/".
export function withView(query: URLSearchParams, view: LicenceView): URLSearchParams {
  const next = new URLSearchParams(query);
  for (const key of ["q", "status", "use", "sort"] as const) {
    const value = view[key].trim();
    if (value === "" || value === DEFAULT_VIEW[key]) next.delete(key);
    else next.set(key, value);
  }
  return next;
}

export function isFiltered(view: LicenceView): boolean {
  return view.q.trim() !== "" || view.status !== "all" || view.use !== "all";
}

function usedEnough(utilisation: number, use: UseFilter): boolean {
  switch (use) {
    case "95":
      return utilisation >= 0.95;
    case "80":
      return utilisation >= 0.8;
    case "under80":
      return utilisation < 0.8;
    case "under50":
      return utilisation < 0.5;
    default:
      return true;
  }
}

const byName = (a: Row, b: Row) =>
  a.skuName.localeCompare(b.skuName, "en-GB", { sensitivity: "base" }) || a.skuId.localeCompare(b.skuId);

function statusRank(status: string): number {
  const at = STATUSES.indexOf(status);
  return at === -1 ? STATUSES.length : at;
}

const COMPARE: Record<SortKey, (a: Row, b: Row) => number> = {
  name: byName,
  "name-desc": (a, b) => byName(b, a),
  "use-desc": (a, b) => b.utilisation - a.utilisation || byName(a, b),
  use: (a, b) => a.utilisation - b.utilisation || byName(a, b),
  status: (a, b) => statusRank(a.status) - statusRank(b.status) || byName(a, b),
};

// The rows the view shows, in its order (a new array; the input is left as it is).
export function applyView<T extends Row>(rows: readonly T[], view: LicenceView): T[] {
  const words = view.q.trim().toLocaleLowerCase("en-GB");
  return rows
    .filter(
      (row) =>
        (words === "" ||
          row.skuName.toLocaleLowerCase("en-GB").includes(words) ||
          row.skuId.includes(words)) &&
        (view.status === "all" || row.status === view.status) &&
        usedEnough(row.utilisation, view.use),
    )
    .sort(COMPARE[view.sort]);
}

// Which column the sort is on, for the header's aria-sort.
export function sortedColumn(sort: SortKey): { column: "name" | "use" | "status"; order: "ascending" | "descending" } {
  if (sort === "name-desc") return { column: "name", order: "descending" };
  if (sort === "use-desc") return { column: "use", order: "descending" };
  if (sort === "use") return { column: "use", order: "ascending" };
  if (sort === "status") return { column: "status", order: "ascending" };
  return { column: "name", order: "ascending" };
}
