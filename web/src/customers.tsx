// The customers a user may see, a page at a time (GET /customers: by domain, `q` a domain
// prefix, `cursor` the next page). /me carries the first page: a customer admin or an account
// manager has it all; reseller ops with a large book search and page through the rest here,
// so no page load reads every customer.
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { call, type ApiError, type Me, type SeenCustomer } from "./api";

export type CustomerPage = { customers: SeenCustomer[]; nextCursor: string | null };

export const PICKER_PAGE = 50;
const SEARCH_PAUSE_MS = 250; // one request when the typing stops, not one a key
const CUSTOMERS_STALE_MS = 5 * 60_000; // customers are added by the sync, rarely

export function customersPath(search: string, cursor: string | null, limit = PICKER_PAGE): string {
  const query = new URLSearchParams({ limit: String(limit) });
  if (search) query.set("q", search);
  if (cursor) query.set("cursor", cursor);
  return `/customers?${query}`;
}

// A domain search as typed: trimmed and lower case, as domains are stored.
export function searchTerm(typed: string): string {
  return typed.trim().toLowerCase();
}

// Every customer shown so far, in order, without repeats; `current` first when it is not among
// them (the one in the address, from beyond the pages loaded).
export function mergePages(pages: CustomerPage[], current?: SeenCustomer | null): SeenCustomer[] {
  const seen = new Set<string>();
  const all: SeenCustomer[] = [];
  for (const c of pages.flatMap((p) => p.customers)) {
    if (!seen.has(c.customerId)) {
      seen.add(c.customerId);
      all.push(c);
    }
  }
  return current && !seen.has(current.customerId) ? [current, ...all] : all;
}

export function hasMoreCustomers(me: Me): boolean {
  return me.customersNextCursor !== null && me.customersNextCursor !== undefined;
}

function useDebounced(value: string, ms: number): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

export type CustomerList = {
  customers: SeenCustomer[];
  more: boolean; // another page to load
  loadMore: () => void;
  loading: boolean;
  error: ApiError | null;
};

// The customers matching `typed` (a domain prefix), page after page; the unsearched list starts
// from /me's first page without asking again.
export function useCustomerList(me: Me, typed: string, current?: SeenCustomer | null): CustomerList {
  const search = useDebounced(searchTerm(typed), SEARCH_PAUSE_MS);
  const first: CustomerPage = { customers: me.customers, nextCursor: me.customersNextCursor ?? null };
  const query = useInfiniteQuery<CustomerPage, ApiError>({
    queryKey: ["customers", me.email, search],
    queryFn: ({ pageParam, signal }) => call<CustomerPage>(customersPath(search, pageParam as string | null), { signal }),
    initialPageParam: null,
    getNextPageParam: (last) => last.nextCursor,
    initialData: search === "" ? { pages: [first], pageParams: [null] } : undefined,
    staleTime: CUSTOMERS_STALE_MS,
  });
  const pages = query.data?.pages ?? [];
  return {
    customers: mergePages(pages, search === "" ? current : null),
    more: query.hasNextPage,
    loadMore: () => void query.fetchNextPage(),
    loading: query.isFetching,
    error: query.error,
  };
}

// The customer a page is for: the one in the address, else the one last looked at, else the
// first. One beyond /me's first page (reseller ops) is read by id: GET /customers/{id}.
// `undefined` while it is being read; null when there is none the user may see.
export function useViewedCustomer(
  me: Me,
  inAddress: string | null,
  remembered: string | null,
): { viewed: SeenCustomer | null | undefined; fallback: SeenCustomer | null } {
  const wanted = inAddress ?? remembered;
  const local = wanted === null ? undefined : me.customers.find((c) => c.customerId === wanted);
  const fetch = wanted !== null && local === undefined && hasMoreCustomers(me);
  const path = fetch ? `/customers/${encodeURIComponent(wanted)}` : null;
  const query = useQuery<SeenCustomer, ApiError>({
    queryKey: ["api", path],
    queryFn: ({ signal }) => call<SeenCustomer>(path as string, { signal }),
    enabled: path !== null,
    staleTime: CUSTOMERS_STALE_MS,
  });
  const fetched = fetch ? (query.data ?? (query.isPending ? undefined : null)) : null;
  const first = me.customers[0] ?? null;
  if (inAddress !== null) return { viewed: local ?? fetched, fallback: first };
  // Nothing in the address: the remembered customer if it can still be seen, else the first.
  const chosen = local ?? fetched;
  return { viewed: chosen === null ? first : chosen, fallback: first };
}

// A customer <select> that, for a large book, also searches by domain and loads more pages.
export function CustomerChooser({
  me,
  id,
  label,
  labelHidden = false,
  value,
  current,
  onChange,
}: {
  me: Me;
  id: string;
  label: string;
  labelHidden?: boolean;
  value: string;
  current?: SeenCustomer | null;
  onChange: (customer: SeenCustomer) => void;
}) {
  const [typed, setTyped] = useState("");
  const list = useCustomerList(me, typed, current);
  const searchable = hasMoreCustomers(me);
  const options = list.customers;
  const chosen = options.some((c) => c.customerId === value);
  return (
    <span className="customer-chooser">
      <label htmlFor={id} className={labelHidden ? "visually-hidden" : undefined}>
        {label}
      </label>
      {searchable && (
        <>
          <label htmlFor={`${id}-search`} className="visually-hidden">
            Find a customer by domain
          </label>
          <input
            id={`${id}-search`}
            type="search"
            placeholder="Find by domain"
            autoComplete="off"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
          />
        </>
      )}
      <select
        id={id}
        value={chosen ? value : ""}
        onChange={(e) => {
          const picked = options.find((c) => c.customerId === e.target.value);
          if (picked) onChange(picked);
        }}
      >
        {!chosen && (
          <option value="" disabled>
            {list.loading ? "Finding customers…" : options.length ? "Choose a customer" : "No customer matches"}
          </option>
        )}
        {options.map((c) => (
          <option key={c.customerId} value={c.customerId}>
            {c.name} ({c.customerDomain})
          </option>
        ))}
      </select>
      {searchable && list.more && (
        <button type="button" className="button link" disabled={list.loading} onClick={list.loadMore}>
          More customers
        </button>
      )}
      {list.error && <span role="alert">{list.error.message}</span>}
    </span>
  );
}
