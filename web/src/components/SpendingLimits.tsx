import { useState, type FormEvent } from "react";
import { ApiError, call, type SpendingLimit } from "../api";
import { useCustomerPath, useSession } from "../context";
import { money, when } from "../format";
import { FieldError, useApi } from "./common";

// The customer's spending limits where seats are bought: read-only for customer admins,
// changed here by reseller operations.
export function SpendingLimits() {
  const base = useCustomerPath();
  const { me } = useSession();
  const limit = useApi<SpendingLimit>(`${base}/spending-limit`);
  const [editing, setEditing] = useState(false);
  if (!limit.data) return null;
  const l = limit.data;
  const ops = me.role === "reseller_ops";
  return (
    <section className="panel" aria-labelledby="limits-heading" data-testid="spending-limits">
      <h2 id="limits-heading">Spending limits</h2>
      <p>
        Without the reseller's approval, one request may add up to{" "}
        <strong>{l.maxSeatsPerRequest} seats</strong>, and this month's additions and purchases may
        cost up to <strong>{money(l.maxMonthlyCostMinor, l.currency)} a month</strong> (
        {money(l.spentThisMonthMinor, l.currency)} asked for so far). Above either, a request waits
        for reseller operations to approve it, for up to 7 days.
      </p>
      <p className="muted">
        Estimated at the customer's price (list price less any discount), excluding VAT. Flexible plans are counted as if every seat were
        assigned, because a raised cap can be filled at once.
        {l.updatedBy ? ` Set by ${l.updatedBy}, ${when(l.updatedAt)}.` : " These are the defaults."}
      </p>
      {ops &&
        (editing ? (
          <LimitForm limit={l} onDone={() => { setEditing(false); limit.reload(); }} />
        ) : (
          <button type="button" className="button secondary" onClick={() => setEditing(true)}>
            Change limits
          </button>
        ))}
    </section>
  );
}

function LimitForm({ limit, onDone }: { limit: SpendingLimit; onDone: () => void }) {
  const base = useCustomerPath();
  const [seats, setSeats] = useState(String(limit.maxSeatsPerRequest));
  const [pounds, setPounds] = useState(String(Math.floor(limit.maxMonthlyCostMinor / 100)));
  const [errors, setErrors] = useState<Record<string, string>>({});

  async function save(event: FormEvent) {
    event.preventDefault();
    try {
      await call(`${base}/spending-limit`, {
        method: "PUT",
        body: { maxSeatsPerRequest: Number(seats), maxMonthlyPounds: Number(pounds) },
      });
      onDone();
    } catch (e) {
      const error = e as ApiError;
      setErrors(Object.keys(error.errors).length ? error.errors : { form: error.message });
    }
  }

  return (
    <form onSubmit={(e) => void save(e)} noValidate>
      <div className="field">
        <label htmlFor="limit-seats">Seats per request</label>
        <input id="limit-seats" type="number" min={1} value={seats} onChange={(e) => setSeats(e.target.value)} />
        <FieldError id="limit-seats-error" message={errors.maxSeatsPerRequest} />
      </div>
      <div className="field">
        <label htmlFor="limit-pounds">Estimated cost a month (£)</label>
        <input id="limit-pounds" type="number" min={1} value={pounds} onChange={(e) => setPounds(e.target.value)} />
        <FieldError id="limit-pounds-error" message={errors.maxMonthlyPounds ?? errors.form} />
      </div>
      <div className="form-actions">
        <button type="submit" className="button primary">Save limits</button>
        <button type="button" className="button secondary" onClick={onDone}>Cancel</button>
      </div>
    </form>
  );
}
