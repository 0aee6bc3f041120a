import { useState, type FormEvent } from "react";
import { ApiError, call, type Channel, type ChannelKind, type Preferences } from "../api";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { DotsMenu, ErrorState, FieldError, Loading, useApi } from "../components/common";
import { useSession } from "../context";
import { NOTIFICATION_TYPES } from "../format";

// A new channel gets every type, whatever types there are.
const ALL_ON = Object.fromEntries(NOTIFICATION_TYPES.map((t) => [t.key, true])) as Preferences;

const KINDS: { kind: ChannelKind; label: string; hint: string }[] = [
  { kind: "google_chat", label: "Google Chat space", hint: "https://chat.googleapis.com/v1/spaces/…/messages?key=…&token=…" },
  { kind: "slack", label: "Slack channel", hint: "https://hooks.slack.com/services/…" },
  { kind: "webhook", label: "Webhook (signed)", hint: "https://… (see docs/webhooks.md to verify the signature)" },
];

export function kindLabel(kind: string): string {
  return KINDS.find((k) => k.kind === kind)?.label ?? kind;
}

/** Chat spaces, Slack channels and webhooks: recipients of their own, with the same choices. */
export function AlertChannels({ base }: { base: string }) {
  const channels = useApi<Channel[]>(`${base}/channels`);
  if (channels.error) {
    if (channels.error instanceof ApiError && channels.error.status === 503) {
      return <p className="muted">Alert channels are not set up for this installation.</p>;
    }
    return <ErrorState error={channels.error} retry={channels.reload} />;
  }
  if (!channels.data) return <Loading what="alert channels" />;
  return <ChannelList base={base} list={channels.data} reload={channels.reload} />;
}

function ChannelList({ base, list, reload }: { base: string; list: Channel[]; reload: () => void }) {
  const { canChange } = useSession();
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [removing, setRemoving] = useState<Channel | null>(null);
  const [busy, setBusy] = useState(false);

  async function act(work: () => Promise<string>) {
    setNotice(null);
    setProblem(null);
    setBusy(true);
    try {
      setNotice(await work());
    } catch (e) {
      setProblem((e as ApiError).message);
    } finally {
      setBusy(false);
    }
  }

  const test = (c: Channel) =>
    act(async () => (await call<{ message: string }>(`${base}/channels/${c.id}/test`, { method: "POST" })).message);
  const remove = (c: Channel) =>
    act(async () => {
      await call(`${base}/channels/${c.id}`, { method: "DELETE" });
      setRemoving(null);
      reload();
      return `${c.name} removed.`;
    });

  return (
    <>
      <p className="muted small">
        Alerts can also go to a Google Chat space, a Slack channel or a signed webhook. A message that may not have
        arrived is flagged below, never sent twice.
      </p>
      {notice && (
        <p className="success" role="status">
          {notice}
        </p>
      )}
      {secret && (
        <p className="notice" role="note">
          Signing secret (shown once; keep it where your receiver can read it): <code>{secret}</code>
        </p>
      )}
      {problem && (
        <p className="field-error" role="alert">
          {problem}
        </p>
      )}
      {list.length === 0 ? (
        <p className="muted">No alert channels yet.</p>
      ) : (
        <ul className="recipients channels">
          {list.map((c) =>
            editing === c.id ? (
              <li key={c.id} className="recipient editing">
                <ChannelForm
                  base={base}
                  existing={c}
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
              <li key={c.id} className="recipient" data-channel={c.id}>
                <div>
                  <strong>{c.name}</strong>
                  <span className="muted"> · {kindLabel(c.kind)}</span>
                  <p className="small muted">{c.urlMasked}</p>
                  <p className="small">
                    {NOTIFICATION_TYPES.filter((t) => c.notifications[t.key]).map((t) => t.label).join(", ") ||
                      "No notifications"}
                  </p>
                </div>
                {canChange && (
                  <DotsMenu
                    label={`Actions for ${c.name}`}
                    items={[
                      { label: "Send a test message", onSelect: () => void test(c) },
                      { label: "Edit", onSelect: () => { setNotice(null); setEditing(c.id); } },
                      { label: "Remove", onSelect: () => setRemoving(c) },
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
          <ChannelForm
            base={base}
            onDone={(text, added) => {
              setAdding(false);
              setSecret(added?.signingSecret ?? null);
              if (text) {
                setNotice(text);
                reload();
              }
            }}
          />
        ) : (
          <button type="button" className="button secondary" onClick={() => setAdding(true)}>
            Add channel
          </button>
        ))}
      {removing && (
        <ConfirmDialog
          title="Remove this channel?"
          confirmLabel="Remove"
          busyLabel="Removing…"
          busy={busy}
          onConfirm={() => void remove(removing)}
          onCancel={() => setRemoving(null)}
        >
          <p>{removing.name} will no longer receive any alert.</p>
        </ConfirmDialog>
      )}
    </>
  );
}

function ChannelForm({
  base,
  existing,
  onDone,
}: {
  base: string;
  existing?: Channel;
  onDone: (notice: string | null, added?: Channel) => void;
}) {
  const [kind, setKind] = useState<ChannelKind>(existing?.kind ?? "google_chat");
  const [name, setName] = useState(existing?.name ?? "");
  const [url, setUrl] = useState("");
  const [prefs, setPrefs] = useState<Preferences>(existing?.notifications ?? ALL_ON);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const prefix = existing ? `channel-${existing.id}` : "new-channel";

  async function save(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    try {
      if (existing) {
        await call(`${base}/channels/${existing.id}`, { method: "PUT", body: { name, notifications: prefs } });
        onDone(`Changes saved for ${name}.`);
      } else {
        const added = await call<Channel>(`${base}/channels`, {
          method: "POST",
          body: { kind, name: name.trim(), url: url.trim(), notifications: prefs },
        });
        onDone(`${added.name} added.`, added);
      }
    } catch (e) {
      const failure = e as ApiError;
      setErrors(Object.keys(failure.errors).length ? failure.errors : { form: failure.message });
      setBusy(false);
    }
  }

  return (
    <form className="recipient-form" onSubmit={save} noValidate aria-label={existing ? `Edit ${existing.name}` : "Add a channel"}>
      {!existing && (
        <>
          <div className="field">
            <label htmlFor={`${prefix}-kind`}>Kind</label>
            <select id={`${prefix}-kind`} value={kind} onChange={(e) => setKind(e.target.value as ChannelKind)}>
              {KINDS.map((k) => (
                <option key={k.kind} value={k.kind}>
                  {k.label}
                </option>
              ))}
            </select>
            <FieldError id={`${prefix}-kind-error`} message={errors.kind} />
          </div>
          <div className="field">
            <label htmlFor={`${prefix}-url`}>Webhook URL</label>
            <input
              id={`${prefix}-url`}
              type="url"
              autoComplete="off"
              value={url}
              placeholder={KINDS.find((k) => k.kind === kind)?.hint}
              aria-invalid={errors.url ? true : undefined}
              aria-describedby={errors.url ? `${prefix}-url-error` : undefined}
              onChange={(e) => setUrl(e.target.value)}
            />
            <FieldError id={`${prefix}-url-error`} message={errors.url} />
          </div>
        </>
      )}
      <div className="field">
        <label htmlFor={`${prefix}-name`}>Name</label>
        <input
          id={`${prefix}-name`}
          type="text"
          value={name}
          aria-invalid={errors.name ? true : undefined}
          aria-describedby={errors.name ? `${prefix}-name-error` : undefined}
          onChange={(e) => setName(e.target.value)}
        />
        <FieldError id={`${prefix}-name-error`} message={errors.name} />
      </div>
      <fieldset className="toggles">
        <legend>Alerts to post</legend>
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
          {existing ? "Save Changes" : "Add channel"}
        </button>
        <button type="button" className="button secondary" onClick={() => onDone(null)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
