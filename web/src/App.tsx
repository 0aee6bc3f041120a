import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useContext, useEffect, useState, type ReactNode } from "react";
import { Navigate, Outlet, useLocation as useRouterLocation } from "react-router";
import { ApiError, call, setTokenSource, type Me, type SeenCustomer } from "./api";
import {
  currentToken,
  sessionInfo,
  signInLocally,
  signInWithGoogle,
  signOut,
  startFirebase,
  type SessionInfo,
} from "./auth";
import { BuyingBanner } from "./components/BuyingBanner";
import { TimesIn, useCustomerZone } from "./components/Clock";
import { ErrorBoundary } from "./components/ErrorBoundary";
import { SyncBanner } from "./components/SyncBanner";
import { ErrorState, Loading } from "./components/common";
import { SessionContext, type Session } from "./context";
import { CustomerChooser, hasMoreCustomers, useViewedCustomer } from "./customers";
import { setTimeZone } from "./format";
import { SignIn } from "./pages/SignIn";
import {
  Link,
  chosenCustomer,
  customerHref,
  navigate,
  rememberCustomer,
  samePageFor,
  useLocation,
} from "./router";

type Phase =
  | { kind: "starting" }
  | { kind: "signed-out"; info: SessionInfo; problem?: string }
  | { kind: "signed-in"; me: Me }
  | { kind: "broken"; error: ApiError };

// The root of every route: signs the user in, then shows the shell around the page.
export function App() {
  const [phase, setPhase] = useState<Phase>({ kind: "starting" });
  const queries = useQueryClient();

  // The pages go first (no poll goes out without a token), then everything they cached: the
  // next person to sign in on this browser never sees the last one's figures.
  const signedOut = useCallback(
    async (problem?: string) => {
      setPhase({ kind: "starting" });
      await queries.cancelQueries();
      queries.clear();
      await signOut();
      setPhase({ kind: "signed-out", info: await sessionInfo(), problem });
    },
    [queries],
  );

  useEffect(() => {
    setTokenSource(currentToken, () => {
      void signedOut("Your sign-in has expired: please sign in again.");
    });
    (async () => {
      try {
        const info = await sessionInfo();
        if (info.mode === "firebase" && info.firebase) await startFirebase(info.firebase);
        if (!(await currentToken())) {
          setPhase({ kind: "signed-out", info });
          return;
        }
        setPhase({ kind: "signed-in", me: await call<Me>("/me") });
      } catch (error) {
        if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
          setPhase({ kind: "signed-out", info: await sessionInfo(), problem: error.message });
        } else {
          setPhase({ kind: "broken", error: error as ApiError });
        }
      }
    })();
  }, [signedOut]);

  async function signIn(email?: string) {
    if (email !== undefined) {
      setPhase({ kind: "signed-in", me: await signInLocally(email) });
    } else {
      await signInWithGoogle();
      setPhase({ kind: "signed-in", me: await call<Me>("/me") });
    }
    // Stay on the page the user asked for (a shared link), except the sign-in page itself.
    if (window.location.pathname === "/signin") navigate("/", true);
  }

  if (phase.kind === "starting") {
    return (
      <main className="centred">
        <Loading what="Licence Manager" />
      </main>
    );
  }
  if (phase.kind === "broken") {
    return (
      <main className="centred">
        <ErrorState error={phase.error} retry={() => window.location.reload()} />
      </main>
    );
  }
  if (phase.kind === "signed-out") {
    return <SignIn info={phase.info} problem={phase.problem} onSignIn={signIn} />;
  }
  return <SignedIn me={phase.me} onSignOut={() => void signedOut()} />;
}

// The customer comes from the address; a customer page of someone the user cannot see says so
// (exactly as the API answers 404) rather than showing another customer's data.
function SignedIn({ me, onSignOut }: { me: Me; onSignOut: () => void }) {
  const { customerId: inAddress } = useLocation();
  // /me has the first page of customers; one beyond it (reseller ops' book) is read by id.
  const { viewed, fallback } = useViewedCustomer(me, inAddress, chosenCustomer());

  useEffect(() => {
    if (viewed) rememberCustomer(viewed.customerId);
  }, [viewed]);
  // Every date the pages format is on the viewed customer's clock: set before they render.
  const zone = useCustomerZone(viewed);
  if (zone) setTimeZone(zone);

  const session: Session | null = viewed
    ? { me, customerId: viewed.customerId, canChange: viewed.canChange }
    : null;
  return (
    <SessionContext.Provider value={session}>
      <Shell me={me} viewed={viewed ?? null} onSignOut={onSignOut}>
        {me.customers.length === 0 ? (
          <div className="state state-empty">
            <h1>No customers yet</h1>
            <p>Your account is not linked to a customer. Ask your account manager to add you.</p>
          </div>
        ) : viewed === undefined ? (
          <Loading what="the customer" />
        ) : viewed ? (
          <>
            <Outlet />
            {zone && <TimesIn zone={zone} />}
          </>
        ) : (
          <div className="state state-empty">
            <h1>Customer not found</h1>
            <p>
              This address is for a customer you do not have access to, or one that does not exist.{" "}
              <Link href={customerHref("/", fallback?.customerId ?? null)}>Go to your licences</Link>
            </p>
          </div>
        )}
      </Shell>
    </SessionContext.Provider>
  );
}

const NAV = [
  { href: "/", label: "Home" },
  { href: "/licences", label: "My Licences" },
  { href: "/reclaim", label: "Reclaim" },
  { href: "/purchase", label: "Purchase" },
  { href: "/reports", label: "Reports" },
  { href: "/logs", label: "Logs" },
  { href: "/notifications", label: "Notifications" },
  { href: "/account", label: "Account" },
];
// Reseller operations only: requests above a spending limit, the emergency stop, the prices.
const OPS_NAV = [
  { href: "/approvals", label: "Approvals" },
  { href: "/prices", label: "Prices" },
];

function Shell({
  me,
  viewed,
  onSignOut,
  children,
}: {
  me: Me;
  viewed: SeenCustomer | null;
  onSignOut: () => void;
  children: ReactNode;
}) {
  const { path } = useLocation();
  const { pathname } = useRouterLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  const [shownFor, setShownFor] = useState(path);
  if (shownFor !== path) {
    // A new page closes the small-screen menu.
    setShownFor(path);
    setMenuOpen(false);
  }
  const current = (href: string) =>
    href === "/" ? path === "/" : href === "/licences" ? path.startsWith("/licences") : path.startsWith(href);

  return (
    <div className="layout">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <button
          type="button"
          className="nav-toggle"
          aria-expanded={menuOpen}
          aria-controls="side-nav"
          onClick={() => setMenuOpen((o) => !o)}
        >
          Menu
        </button>
        <Link href="/" className="brand">
          Licence Manager
        </Link>
        <CustomerPicker me={me} viewed={viewed} />
        <div className="user">
          <span className="user-name">
            {me.name || me.email} <span className="user-role">{me.roleLabel}</span>
          </span>
          <button type="button" className="button link" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      <nav id="side-nav" className={`sidebar${menuOpen ? " open" : ""}`} aria-label="Main">
        <ul>
          {[...NAV, ...(me.role === "reseller_ops" ? OPS_NAV : [])].map((item) => (
            <li key={item.href}>
              <Link href={item.href} aria-current={current(item.href) ? "page" : undefined}>
                {item.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" className="content">
        <BuyingBanner />
        <SyncBanner />
        <ErrorBoundary key={pathname} where="this page">
          {children}
        </ErrorBoundary>
      </main>
    </div>
  );
}

function CustomerPicker({ me, viewed }: { me: Me; viewed: SeenCustomer | null }) {
  const { customerId } = useLocation();
  const { pathname } = useRouterLocation();
  const value = customerId ?? viewed?.customerId ?? me.customers[0]?.customerId ?? "";
  if (me.customers.length < 2 && !hasMoreCustomers(me)) {
    const only = me.customers[0];
    return only ? <span className="customer">{only.name}</span> : null;
  }
  return (
    <span className="customer">
      <CustomerChooser
        me={me}
        id="customer-picker"
        label="Customer"
        labelHidden
        value={value}
        current={viewed}
        onChange={(chosen) => {
          rememberCustomer(chosen.customerId);
          navigate(customerId ? samePageFor(pathname, chosen.customerId) : pathname);
        }}
      />
    </span>
  );
}

// "/" and the addresses from before the customer was in them ("/licences/9/settings",
// "/reports?sku=9") open the same page for the customer last looked at.
export function ToChosenCustomer() {
  const { pathname, search } = useRouterLocation();
  const session = useSessionOrNull();
  if (!session) return null;
  return <Navigate to={customerHref(`${pathname}${search}`, session.customerId)} replace />;
}

export function PageNotFound() {
  return (
    <div className="state state-empty">
      <h1>Page not found</h1>
      <p>
        <Link href="/">Go to My Licences</Link>
      </p>
    </div>
  );
}

function useSessionOrNull(): Session | null {
  return useContext(SessionContext);
}
