import { useState, type FormEvent } from "react";
import { call, type AnomalyPolicy, type ApiError } from "../api";
import { ErrorState, FieldError, Loading, useApi } from "./common";

// The Account page's anomaly guard section: how sudden a rise in assignments pauses a
// licence's automatic top-ups. Customer admins and reseller ops change it; it is audited.
export function AnomalyPolicyForm({ customerId, canChange }: { customerId: string; canChange: boolean }) {
  const path = `/customers/${encodeURIComponent(customerId)}/anomaly-policy`;
  const policy = useApi<AnomalyPolicy>(path);
  const [typed, setTyped] = useState<{ minUsers: string; minPercent: string } | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (policy.error) return <ErrorState error={policy.error} retry={policy.reload} />;
  if (!policy.data) return <Loading what="the anomaly thresholds" />;
  const form = typed ?? { minUsers: String(policy.data.minUsers), minPercent: String(policy.data.minPercent) };
  const whole = (text: string) => (/^\d+$/.test(text.trim()) ? Number(text.trim()) : text);

  async function save(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    setMessage(null);
    try {
      const saved = await call<AnomalyPolicy>(path, {
        method: "PUT",
        body: { minUsers: whole(form.minUsers), minPercent: whole(form.minPercent) },
      });
      setTyped(null);
      policy.reload();
      setMessage(`Changes saved: more than ${saved.minUsers} users and ${saved.minPercent}% of a licence's seats in an hour pauses its automatic top-ups.`);
    } catch (e) {
      const failure = e as ApiError;
      setErrors(Object.keys(failure.errors).length ? failure.errors : { minUsers: failure.message });
    } finally {
      setBusy(false);
    }
  }

  const change = (name: "minUsers" | "minPercent", value: string) => {
    setTyped({ ...form, [name]: value });
    setMessage(null);
  };
  return (
    <form className="settings" onSubmit={save} noValidate>
      <fieldset disabled={!canChange || busy}>
        <section className="panel" aria-labelledby="anomaly-heading">
          <h2 id="anomaly-heading">Sudden rises in assigned users</h2>
          <p className="hint" id="anomaly-hint">
            When a licence's assigned users rise by more than both of these within an hour (a script creating users, or
            a misused account), its automatic top-ups pause until someone resumes them. Adding seats by hand still works.
          </p>
          <div className="field">
            <label htmlFor="field-minUsers">More than this many users</label>
            <input
              id="field-minUsers"
              inputMode="numeric"
              value={form.minUsers}
              aria-invalid={errors.minUsers ? true : undefined}
              aria-describedby={["anomaly-hint", errors.minUsers && "field-minUsers-error"].filter(Boolean).join(" ")}
              onChange={(e) => change("minUsers", e.target.value)}
            />
            <FieldError id="field-minUsers-error" message={errors.minUsers} />
          </div>
          <div className="field">
            <label htmlFor="field-minPercent">and more than this percentage of its seats</label>
            <input
              id="field-minPercent"
              inputMode="numeric"
              value={form.minPercent}
              aria-invalid={errors.minPercent ? true : undefined}
              aria-describedby={errors.minPercent ? "field-minPercent-error" : undefined}
              onChange={(e) => change("minPercent", e.target.value)}
            />
            <FieldError id="field-minPercent-error" message={errors.minPercent} />
          </div>
        </section>
      </fieldset>
      {message && (
        <p className="success" role="status">
          {message}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={!canChange || busy || typed === null}>
          {busy ? "Saving…" : "Save Thresholds"}
        </button>
      </div>
    </form>
  );
}
