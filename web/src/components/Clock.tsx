// The customer's clock in the shell: which time zone the viewed customer is on (from /me, then
// kept fresh through the same query the Account page reads and updates), and the note that
// says so on every page.
import { useQuery } from "@tanstack/react-query";
import { call, type ApiError, type Customer, type TimeZoneSetting } from "../api";

export function timeZonePath(customerId: string): string {
  return `/customers/${encodeURIComponent(customerId)}/time-zone`;
}

// The viewed customer's zone, or null when no customer is viewed. /me's answer shows at once;
// it is checked with the server in the background (it may have changed since sign-in), and an
// Account page save updates it here without a reload.
export function useCustomerZone(customer: (Customer & { canChange: boolean }) | null | undefined): string | null {
  const path = customer ? timeZonePath(customer.customerId) : null;
  const query = useQuery<TimeZoneSetting, ApiError>({
    queryKey: ["api", path],
    queryFn: ({ signal }) => call<TimeZoneSetting>(path as string, { signal }),
    enabled: path !== null,
    initialData: customer?.timeZone
      ? { customerId: customer.customerId, timeZone: customer.timeZone, canChange: customer.canChange }
      : undefined,
    initialDataUpdatedAt: 0,
  });
  return query.data?.timeZone ?? customer?.timeZone ?? null;
}

export function TimesIn({ zone }: { zone: string }) {
  return (
    <p className="times-in muted small">
      Times in <strong>{zone}</strong>
    </p>
  );
}
