import { useState, type FormEvent } from "react";
import { ApiError, call, type Notification, type Preferences, type Recipient } from "../api";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { DotsMenu, ErrorState, FieldError, Loading, PageHeader, useApi } from "../components/common";
import { useCustomerPath, useSession } from "../context";
import { NOTIFICATION_TYPES, when } from "../format";
import { useLocation } from "../router";
import { AlertChannels } from "./AlertChannels";
import { SentNotifications, useSentNotifications } from "./SentNotifications";

const ALL_ON: Preferences = {
  lowLicences: true,
  topUpApplied: true,
  topUpFailed: true,
  purchaseConfirmed: true,
  monthEndReport: true,
  renewalReminder: true,
  topUpsPaused: true,
  trialEnding: true,
  subscriptionStatus: true,
};

const BOUNCE_WORDS: Record<string, string> = {
  bounce: "bounced",
  dropped: "was dropped by SendGrid",
  spamreport: "was reported as spam",
  blocked: "was blocked",
};

export function Notifications() {
  const base = useCustomerPath();
  const problemsOnly = useLocation().query.get("problems") === "1";
  const sent = useSentNotifications(base, problemsOnly);
  const recipients = useApi<Recipient[]>(`${base}/recipients`);

  return (
    <>
      <PageHeader title="Notifications">
        <p className="muted">Alerts and confirmations sent by email, and who receives them.</p>
      </PageHeader>
      <section aria-labelledby="recipients-heading" className="panel">
        <h2 id="recipients-heading">Recipients</h2>
        {recipients.error && <ErrorState error={recipients.error} retry={recipients.reload} />}
        {!recipients.data && !recipients.error && <Loading what="recipients" />}
        {recipients.data && (
          <Recipients
            list={recipients.data}
            refused={refusedBySendGrid(sent.data?.pages.flatMap((p) => p.notifications) ?? [])}
            reload={recipients.reload}
            base={base}
          />
        )}
      </section>
      <section aria-labelledby="channels-heading" className="panel">
        <h2 id="channels-heading">Alert channels</h2>
        <AlertChannels base={base} />
      </section>
      <section aria-labelledby="sent-heading">
        <h2 id="sent-heading">Notifications sent</h2>
        <SentNotifications base={base} problemsOnly={problemsOnly} sent={sent} />
      </section>
    </>
  );
}

/** The newest refusal per address among the notifications shown: a recipient SendGrid refused. */
function refusedBySendGrid(sent: Notification[]): Map<string, string> {
  const refused = new Map<string, string>();
  for (const n of sent) {
    for (const email of n.refusedRecipients) {
      if (!refused.has(email)) refused.set(email, n.createdAt);
    }
  }
  return refused;
}

function Recipients({
  list,
  refused,
  reload,
  base,
}: {
  list: Recipient[];
  refused: Map<string, string>;
  reload: () => void;
  base: string;
}) {
  const { canChange } = useSession();
  const [editing, setEditing] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function remove(email: string) {
    setBusy(true);
    try {
      await call(`${base}/recipients/${encodeURIComponent(email)}`, { method: "DELETE" });
      setNotice(`${email} removed.`);
      reload();
    } catch (e) {
      setProblem((e as ApiError).message);
    } finally {
      setBusy(false);
      setRemoving(null);
    }
  }

  return (
    <>
      {notice && (
        <p className="success" role="status">
          {notice}
        </p>
      )}
      {problem && (
        <p className="field-error" role="alert">
          {problem}
        </p>
      )}
      {list.length === 0 ? (
        <p className="muted">Nobody receives notifications yet. Add a recipient below.</p>
      ) : (
        <ul className="recipients">
          {list.map((r) =>
            editing === r.email ? (
              <li key={r.email} className="recipient editing">
                <RecipientForm
                  base={base}
                  existing={r}
                  onDone={(text) => {
                    setEditing(null);
                    if (text) {
                      setNotice(text);
                      reload();
                    }
                  }}
                />
              </li>
            ) : (
              <li key={r.email} className="recipient" data-email={r.email}>
                <div>
                  <strong>{r.email}</strong>
                  {r.name && <span className="muted"> · {r.name}</span>}
                  {r.bouncing && (
                    <p className="field-error small address-bouncing" role="note">
                      {`Email to this address ${BOUNCE_WORDS[r.bouncing.event] ?? "bounced"} on ${when(r.bouncing.at)}`}
                      {r.bouncing.reason ? ` (${r.bouncing.reason})` : ""}: check the address.
                    </p>
                  )}
                  {(r.addressProblem || refused.has(r.email)) && (
                    <p className="field-error small address-problem" role="note">
                      {r.addressProblem ??
                        `SendGrid refused this address on ${when(refused.get(r.email) ?? "")}: remove it and add it again corrected.`}
                    </p>
                  )}
                  <p className="small">
                    {NOTIFICATION_TYPES.filter((t) => r.notifications[t.key]).map((t) => t.label).join(", ") ||
                      "No notifications"}
                  </p>
                </div>
                {canChange && (
                  <DotsMenu
                    label={`Actions for ${r.email}`}
                    items={[
                      { label: "Edit", onSelect: () => { setNotice(null); setEditing(r.email); } },
                      { label: "Remove", onSelect: () => setRemoving(r.email) },
                    ]}
                  />
                )}
              </li>
            ),
          )}
        </ul>
      )}
      {canChange &&
        (adding ? (
          <RecipientForm
            base={base}
            onDone={(text) => {
              setAdding(false);
              if (text) {
                setNotice(text);
                reload();
              }
            }}
          />
        ) : (
          <button type="button" className="button secondary" onClick={() => setAdding(true)}>
            Add recipient
          </button>
        ))}
      {removing && (
        <ConfirmDialog
          title="Remove this recipient?"
          confirmLabel="Remove"
          busyLabel="Removing…"
          busy={busy}
          onConfirm={() => void remove(removing)}
          onCancel={() => setRemoving(null)}
        >
          <p>
            {removing} will no longer receive any notification. You can add them again at any time.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}

function RecipientForm({
  base,
  existing,
  onDone,
}: {
  base: string;
  existing?: Recipient;
  onDone: (notice: string | null) => void;
}) {
  const [email, setEmail] = useState(existing?.email ?? "");
  const [name, setName] = useState(existing?.name ?? "");
  const [prefs, setPrefs] = useState<Preferences>(existing?.notifications ?? ALL_ON);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const prefix = existing ? `edit-${existing.email.replace(/[^a-z0-9]/gi, "-")}` : "new";

  async function save(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    try {
      if (existing) {
        await call(`${base}/recipients/${encodeURIComponent(existing.email)}`, {
          method: "PUT",
          body: { name, notifications: prefs },
        });
        onDone(`Changes saved for ${existing.email}.`);
      } else {
        const added = await call<Recipient>(`${base}/recipients`, {
          method: "POST",
          body: { email: email.trim(), name, notifications: prefs },
        });
        onDone(`${added.email} added.`);
      }
    } catch (e) {
      const failure = e as ApiError;
      setErrors(Object.keys(failure.errors).length ? failure.errors : { form: failure.message });
      setBusy(false);
    }
  }

  return (
    <form className="recipient-form" onSubmit={save} noValidate aria-label={existing ? `Edit ${existing.email}` : "Add a recipient"}>
      {existing ? (
        <p>
          <strong>{existing.email}</strong>
        </p>
      ) : (
        <div className="field">
          <label htmlFor={`${prefix}-email`}>Email address</label>
          <input
            id={`${prefix}-email`}
            type="email"
            value={email}
            aria-invalid={errors.email ? true : undefined}
            aria-describedby={errors.email ? `${prefix}-email-error` : undefined}
            onChange={(e) => setEmail(e.target.value)}
          />
          <FieldError id={`${prefix}-email-error`} message={errors.email} />
        </div>
      )}
      <div className="field">
        <label htmlFor={`${prefix}-name`}>Name (optional)</label>
        <input id={`${prefix}-name`} type="text" value={name} onChange={(e) => setName(e.target.value)} />
        <FieldError id={`${prefix}-name-error`} message={errors.name} />
      </div>
      <fieldset className="toggles">
        <legend>Notifications to receive</legend>
        {NOTIFICATION_TYPES.map((t) => (
          <div className="toggle" key={t.key}>
            <input
              id={`${prefix}-${t.key}`}
              type="checkbox"
              role="switch"
              checked={prefs[t.key]}
              onChange={(e) => setPrefs({ ...prefs, [t.key]: e.target.checked })}
            />
            <label htmlFor={`${prefix}-${t.key}`}>{t.label}</label>
          </div>
        ))}
      </fieldset>
      {errors.form && (
        <p className="field-error" role="alert">
          {errors.form}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={busy}>
          {existing ? "Save Changes" : "Add recipient"}
        </button>
        <button type="button" className="button secondary" onClick={() => onDone(null)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
