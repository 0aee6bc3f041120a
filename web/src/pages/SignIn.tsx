import { useState, type FormEvent } from "react";
import { ApiError } from "../api";
import type { SessionInfo } from "../auth";
import { FieldError } from "../components/common";

export function SignIn({
  info,
  problem,
  onSignIn,
}: {
  info: SessionInfo;
  problem?: string;
  onSignIn: (email?: string) => Promise<void>;
}) {
  const [email, setEmail] = useState("");
  const [error, setError] = useState<string | undefined>(problem);
  const [busy, setBusy] = useState(false);

  async function go(chosen?: string) {
    setBusy(true);
    setError(undefined);
    try {
      await onSignIn(chosen);
    } catch (e) {
      const failure = e as ApiError;
      setError(failure.errors?.email ?? failure.message);
      setBusy(false);
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    void go(email.trim());
  }

  return (
    <main className="signin">
      <div className="signin-card">
        <h1>Licence Manager</h1>
        <p className="lead">Your Google Workspace licences, alerts, top-ups and reports.</p>
        {info.mode === "firebase" ? (
          <>
            {error && (
              <p className="field-error" role="alert">
                {error}
              </p>
            )}
            <button type="button" className="button primary" disabled={busy} onClick={() => void go()}>
              Sign in with Google
            </button>
          </>
        ) : (
          <>
            <p className="notice">
              Local mode: sign in as one of the demo users. There is no password here; in
              production you sign in with your Google account.
            </p>
            <form onSubmit={submit} noValidate>
              <label htmlFor="email">Email address</label>
              <input
                id="email"
                type="email"
                autoComplete="username"
                list="demo-users"
                value={email}
                aria-invalid={error ? true : undefined}
                aria-describedby={error ? "email-error" : undefined}
                onChange={(e) => setEmail(e.target.value)}
              />
              <datalist id="demo-users">
                {info.demoUsers?.map((u) => <option key={u.email} value={u.email} />)}
              </datalist>
              <FieldError id="email-error" message={error} />
              <button type="submit" className="button primary" disabled={busy || !email.trim()}>
                Sign in
              </button>
            </form>
            {info.demoUsers && info.demoUsers.length > 0 && (
              <section aria-labelledby="demo-heading">
                <h2 id="demo-heading">Demo users</h2>
                <ul className="demo-users">
                  {info.demoUsers.map((u) => (
                    <li key={u.email}>
                      <button
                        type="button"
                        className="button secondary"
                        disabled={busy}
                        onClick={() => void go(u.email)}
                      >
                        Sign in as {u.name}
                      </button>
                      <span className="muted">
                        {u.roleLabel} · {u.email}
                      </span>
                    </li>
                  ))}
                </ul>
              </section>
            )}
          </>
        )}
      </div>
    </main>
  );
}
