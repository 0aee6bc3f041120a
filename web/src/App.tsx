import { useCallback, useEffect, useState } from "react";
import { ApiError, call, useTokens, type Me } from "./api";
import {
  currentToken,
  sessionInfo,
  signInLocally,
  signInWithGoogle,
  signOut,
  startFirebase,
  type SessionInfo,
} from "./auth";
import { ErrorState, Loading } from "./components/common";
import { SessionContext } from "./context";
import { BuyingBanner } from "./components/BuyingBanner";
import { AddLicences } from "./pages/AddLicences";
import { Approvals } from "./pages/Approvals";
import { Logs } from "./pages/Logs";
import { MyLicences } from "./pages/MyLicences";
import { Notifications } from "./pages/Notifications";
import { Purchase } from "./pages/Purchase";
import { Reports } from "./pages/Reports";
import { SettingsPage } from "./pages/Settings";
import { SignIn } from "./pages/SignIn";
import { Link, match, navigate, useLocation } from "./router";

const CHOSEN = "licence-manager.customer";

type Phase =
  | { kind: "starting" }
  | { kind: "signed-out"; info: SessionInfo; problem?: string }
  | { kind: "signed-in"; me: Me }
  | { kind: "broken"; error: ApiError };

export function App() {
  const [phase, setPhase] = useState<Phase>({ kind: "starting" });
  const [customerId, setCustomerId] = useState<string | null>(sessionStorage.getItem(CHOSEN));

  const signedOut = useCallback(async (problem?: string) => {
    await signOut();
    setPhase({ kind: "signed-out", info: await sessionInfo(), problem });
  }, []);

  useEffect(() => {
    useTokens(currentToken, () => {
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
    navigate(window.location.pathname === "/signin" ? "/" : window.location.pathname, true);
  }

  if (phase.kind === "starting") return <Loading what="Licence Manager" />;
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

  const me = phase.me;
  const chosen =
    me.customers.find((c) => c.customerId === customerId) ?? me.customers[0] ?? null;
  return (
    <SessionContext.Provider
      value={
        chosen
          ? {
              me,
              customerId: chosen.customerId,
              canChange: chosen.canChange,
              chooseCustomer: (id) => {
                sessionStorage.setItem(CHOSEN, id);
                setCustomerId(id);
              },
            }
          : null
      }
    >
      <Shell me={me} onSignOut={() => void signedOut()} hasCustomer={chosen !== null} />
    </SessionContext.Provider>
  );
}

const NAV = [
  { href: "/", label: "Home" },
  { href: "/licences", label: "My Licences" },
  { href: "/purchase", label: "Purchase" },
  { href: "/reports", label: "Reports" },
  { href: "/logs", label: "Logs" },
  { href: "/notifications", label: "Notifications" },
];
// Reseller operations only: requests above a spending limit, and the emergency stop.
const OPS_NAV = [{ href: "/approvals", label: "Approvals" }];

function Shell({ me, onSignOut, hasCustomer }: { me: Me; onSignOut: () => void; hasCustomer: boolean }) {
  const { path } = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => setMenuOpen(false), [path]);
  const current = (href: string) =>
    href === "/licences"
      ? path === "/" || path.startsWith("/licences")
      : href !== "/" && path.startsWith(href);

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
        <CustomerPicker me={me} />
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
        {hasCustomer ? (
          <Page path={path} />
        ) : (
          <div className="state state-empty">
            <h1>No customers yet</h1>
            <p>Your account is not linked to a customer. Ask your account manager to add you.</p>
          </div>
        )}
      </main>
    </div>
  );
}

function CustomerPicker({ me }: { me: Me }) {
  const [value, setValue] = useState(sessionStorage.getItem(CHOSEN) ?? me.customers[0]?.customerId);
  if (me.customers.length < 2) {
    const only = me.customers[0];
    return only ? <span className="customer">{only.name}</span> : null;
  }
  return (
    <label className="customer">
      <span className="visually-hidden">Customer</span>
      <select
        value={value}
        onChange={(e) => {
          setValue(e.target.value);
          sessionStorage.setItem(CHOSEN, e.target.value);
          window.location.assign("/");
        }}
      >
        {me.customers.map((c) => (
          <option key={c.customerId} value={c.customerId}>
            {c.name} ({c.customerDomain})
          </option>
        ))}
      </select>
    </label>
  );
}

function Page({ path }: { path: string }) {
  if (path === "/" || path === "/licences") return <MyLicences />;
  let params = match("/licences/:sku/settings", path);
  if (params) return <SettingsPage skuId={params.sku} />;
  params = match("/licences/:sku/add", path);
  if (params) return <AddLicences skuId={params.sku} />;
  if (path === "/purchase") return <Purchase />;
  if (path === "/reports") return <Reports />;
  if (path === "/logs") return <Logs />;
  if (path === "/notifications") return <Notifications />;
  if (path === "/approvals") return <Approvals />;
  return (
    <div className="state state-empty">
      <h1>Page not found</h1>
      <p>
        <Link href="/">Go to My Licences</Link>
      </p>
    </div>
  );
}
