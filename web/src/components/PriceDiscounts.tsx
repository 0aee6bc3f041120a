import { useState, type FormEvent } from "react";
import { ApiError, call, type Me, type SeenCustomer } from "../api";
import { CustomerChooser } from "../customers";
import { when } from "../format";
import { parsePercent, type Discount, type PriceChange } from "../prices";
import { FieldError } from "./common";

// The Prices page: a customer's discount off every list price, set or cleared by reseller ops.
export function PriceDiscounts({
  discounts,
  me,
  onChanged,
}: {
  discounts: Discount[];
  me: Me;
  onChanged: () => void;
}) {
  const customers = me.customers; // the first page; the chooser searches the rest
  const [customerId, setCustomerId] = useState(customers[0]?.customerId ?? "");
  const current = discounts.find((d) => d.customerId === customerId);
  const [percentText, setPercentText] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [confirming, setConfirming] = useState<"set" | "clear" | null>(null);
  const [busy, setBusy] = useState(false);
  // A customer picked from beyond the first page is named from the pick itself.
  const [picked, setPicked] = useState<SeenCustomer | null>(null);
  const name = (id: string) =>
    customers.find((c) => c.customerId === id)?.name ?? (picked?.customerId === id ? picked.name : id);
  const parsed = parsePercent(percentText);
  const path = `/customers/${encodeURIComponent(customerId)}/price-discount`;

  function review(event: FormEvent) {
    event.preventDefault();
    setError("error" in parsed ? parsed.error : undefined);
    setConfirming("error" in parsed ? null : "set");
  }

  async function commit() {
    setBusy(true);
    try {
      if (confirming === "clear") await call(path, { method: "DELETE" });
      else if ("percent" in parsed) await call(path, { method: "PUT", body: { percent: parsed.percent } });
      setConfirming(null);
      setPercentText("");
      onChanged();
    } catch (e) {
      setError((e as ApiError).errors.percent ?? (e as ApiError).message);
      setConfirming(null);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel" aria-labelledby="discounts-heading">
      <h2 id="discounts-heading">Customer discounts</h2>
      {discounts.length === 0 ? (
        <p className="muted">No customer has a discount: everyone sees list prices.</p>
      ) : (
        <ul aria-label="Discounts" data-testid="discounts">
          {discounts.map((d) => (
            <li key={d.customerId}>
              {name(d.customerId)}: {d.percent}% off{d.updatedAt ? ` (${when(d.updatedAt)}, ${d.updatedBy ?? ""})` : ""}
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={review} noValidate>
        <fieldset disabled={busy}>
          <div className="field">
            <CustomerChooser
              me={me}
              id="discount-customer"
              label="Customer to discount"
              value={customerId}
              onChange={(chosen) => {
                setCustomerId(chosen.customerId);
                setPicked(chosen);
                setConfirming(null);
              }}
            />
          </div>
          <div className="field">
            <label htmlFor="discount-percent">Discount off every list price (%)</label>
            <input
              id="discount-percent"
              inputMode="decimal"
              value={percentText}
              placeholder={current ? String(current.percent) : "e.g. 12.5"}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? "discount-percent-error" : "discount-rounding"}
              onChange={(e) => {
                setPercentText(e.target.value);
                setConfirming(null);
              }}
            />
            <FieldError id="discount-percent-error" message={error} />
          </div>
          <p className="hint" id="discount-rounding">
            Each price a seat is rounded half up to a whole penny (or cent) after the discount.
          </p>
          {confirming ? (
            <div className="confirm" role="group" aria-labelledby="discount-confirm-text">
              <p id="discount-confirm-text">
                {confirming === "clear"
                  ? `Clear ${name(customerId)}'s ${current?.percent}% discount? They will see list prices.`
                  : `Give ${name(customerId)} ${"percent" in parsed ? parsed.percent : ""}% off every list price${current ? ` (now ${current.percent}%)` : ""}?`}
              </p>
              <div className="form-actions">
                <button type="button" className="button primary" onClick={() => void commit()}>
                  {busy ? "Saving…" : confirming === "clear" ? "Clear discount" : "Confirm discount"}
                </button>
                <button type="button" className="button secondary" onClick={() => setConfirming(null)}>
                  Change
                </button>
              </div>
            </div>
          ) : (
            <div className="form-actions">
              <button type="submit" className="button primary">
                Set discount
              </button>
              {current && (
                <button type="button" className="button secondary" onClick={() => setConfirming("clear")}>
                  Clear discount
                </button>
              )}
            </div>
          )}
        </fieldset>
      </form>
    </section>
  );
}

// The latest changes to prices and discounts, as recorded in price_changes.
export function PriceChanges({ changes }: { changes: PriceChange[] }) {
  if (changes.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="price-changes-heading">
      <h2 id="price-changes-heading">Latest changes</h2>
      <ul data-testid="price-changes">
        {changes.map((c) => (
          <li key={c.id}>
            {when(c.at)}, {c.by}: {c.subject}: {c.before} → {c.after}
          </li>
        ))}
      </ul>
    </section>
  );
}
