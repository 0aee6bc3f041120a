// Routing is React Router's; this module only knows where the customer goes in the address.
//
// Every customer page lives under /customers/{customerId}/..., so a link an account manager
// shares opens the same customer for whoever follows it. Pages write customer-relative paths
// ("/licences/123/settings", "/reports?sku=..."); `customerHref` puts the customer in front, and
// `useLocation` takes it off again, so no page spells out the prefix.
import { useContext, useState, type AnchorHTMLAttributes } from "react";
import { Link as RouterLink, useLocation as useRouterLocation } from "react-router";
import { SessionContext } from "./context";

// Pages that are not about one customer (reseller operations' own views, signing in).
const GLOBAL_PAGES = ["/approvals", "/prices", "/signin"];

const PREFIX = /^\/customers\/([^/]+)(\/.*)?$/;

// The customer in an address, if it is a customer page.
export function customerIn(pathname: string): string | null {
  const found = PREFIX.exec(pathname);
  return found ? decodeURIComponent(found[1]) : null;
}

// "/customers/C1/licences/9/settings" → "/licences/9/settings"; "/customers/C1" → "/".
export function relativePath(pathname: string): string {
  const found = PREFIX.exec(pathname);
  if (!found) return pathname;
  return found[2] && found[2] !== "/" ? found[2] : "/";
}

export function isGlobal(path: string): boolean {
  const bare = path.split(/[?#]/)[0];
  return GLOBAL_PAGES.some((page) => bare === page || bare.startsWith(`${page}/`));
}

// Where a customer-relative path goes for `customerId`. Absolute customer paths and the global
// pages are left as they are.
export function customerHref(to: string, customerId: string | null): string {
  if (!to.startsWith("/") || to.startsWith("/customers/") || isGlobal(to) || !customerId) return to;
  const base = `/customers/${encodeURIComponent(customerId)}`;
  return to === "/" ? base : `${base}${to}`;
}

// The same page for another customer: the page type stays, what belongs to the old customer
// (a SKU in the path or the query) does not.
export function samePageFor(pathname: string, customerId: string): string {
  const page = relativePath(pathname).split("/")[1] ?? "";
  const keep = ["purchase", "reports", "logs", "notifications", "account"].includes(page);
  return customerHref(keep ? `/${page}` : "/", customerId);
}

// The router's own navigation, set once the router exists (main.tsx), so the pages' plain
// `navigate(...)` calls in event handlers go through it.
type Navigator = (to: string, replace: boolean) => void;
let routerNavigate: Navigator = (to) => window.location.assign(to);

export function setNavigator(navigator: Navigator): void {
  routerNavigate = navigator;
}

export function navigate(to: string, replace = false): void {
  const target = customerHref(to, customerIn(window.location.pathname) ?? chosenCustomer());
  if (target === window.location.pathname + window.location.search) return;
  routerNavigate(target, replace);
  window.scrollTo(0, 0);
}

// The last customer the user looked at: where "/" and the global pages' links go.
const CHOSEN = "licence-manager.customer";

export function chosenCustomer(): string | null {
  return sessionStorage.getItem(CHOSEN);
}

export function rememberCustomer(customerId: string): void {
  sessionStorage.setItem(CHOSEN, customerId);
}

// The location as pages see it: the path without the customer, and the query.
export function useLocation(): { path: string; query: URLSearchParams; customerId: string | null } {
  const location = useRouterLocation();
  return {
    path: relativePath(location.pathname),
    query: new URLSearchParams(location.search),
    customerId: customerIn(location.pathname),
  };
}

export function Link(props: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const { href, ...rest } = props;
  const { customerId } = useLocation();
  const session = useContext(SessionContext);
  return <RouterLink to={customerHref(href, customerId ?? session?.customerId ?? null)} {...rest} />;
}

// A filter kept in the address that changes at once when the user changes it: the router moves
// to the new address a moment later, and a control that waited for it would show the old choice
// (and the page the old results) meanwhile. It follows the address when that changes (back,
// a shared link). `key` says when two values are the same.
export function useAddressState<T>(fromAddress: T, key: (value: T) => string): [T, (value: T) => void] {
  const [value, setValue] = useState(fromAddress);
  const [followed, setFollowed] = useState(key(fromAddress));
  if (followed !== key(fromAddress)) {
    setFollowed(key(fromAddress));
    setValue(fromAddress);
  }
  return [value, setValue];
}
