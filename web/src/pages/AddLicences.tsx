import { useState, type FormEvent } from "react";
import { ApiError, call, type Licence, type SeatRequest } from "../api";
import { ErrorState, FieldError, Loading, PageHeader, useApi } from "../components/common";
import { RequestProgress } from "../components/Progress";
import { SpendingLimits } from "../components/SpendingLimits";
import { useCustomerPath, useSession } from "../context";
import { PriceNote } from "../components/PriceNote";
import { isAnnual, plan, seats } from "../format";
import { estimate, perSeat as perSeatText } from "../prices";
import { Link } from "../router";

export function AddLicences({ skuId }: { skuId: string }) {
  const base = useCustomerPath();
  const { canChange } = useSession();
  const licences = useApi<Licence[]>(`${base}/licences`);
  const licence = licences.data?.find((l) => l.skuId === skuId);
  const [quantity, setQuantity] = useState("1");
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [request, setRequest] = useState<SeatRequest | null>(null);
  const [outcome, setOutcome] = useState<SeatRequest["status"] | null>(null);
  const [busy, setBusy] = useState(false);

  if (licences.error) return <ErrorState error={licences.error} retry={licences.reload} />;
  if (!licences.data) return <Loading what="the licence" />;
  if (!licence) {
    return (
      <>
        <PageHeader title="Add Licences" />
        <p className="state state-empty">
          This licence is not one of yours. <Link href="/">Back to My Licences</Link>
        </p>
      </>
    );
  }

  const count = Number(quantity);
  const valid = Number.isInteger(count) && count >= 1 && count <= 10000;
  const { perSeatMonthlyMinor: perSeat, currency } = licence.price;
  const cost = valid && perSeat !== null ? perSeat * count : null;
  const path = `${base}/licences/${encodeURIComponent(skuId)}/additions`;

  function review(event: FormEvent) {
    event.preventDefault();
    setError(valid ? undefined : "Enter a whole number of licences from 1 to 10,000.");
    if (valid) setConfirming(true);
  }

  async function confirm() {
    setBusy(true);
    setError(undefined);
    try {
      setRequest(await call<SeatRequest>(path, { method: "POST", body: { seats: count } }));
    } catch (e) {
      setError((e as ApiError).errors.seats ?? (e as ApiError).message);
      setConfirming(false);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <PageHeader title={`Add Licences: ${licence.skuName}`}>
        <p className="muted">
          {plan(licence.planName)} plan · {licence.assigned} of {licence.total} seats assigned,{" "}
          {licence.vacant} vacant
        </p>
      </PageHeader>
      {!canChange && <p className="notice">Only the customer's admin can add licences.</p>}
      <SpendingLimits />

      {request ? (
        <section className="panel">
          <h2>
            {outcome === "APPLIED"
              ? `${seats(request.seatsToAdd, "licence")} added`
              : outcome
                ? "Licences not added"
                : `Adding ${seats(request.seatsToAdd, "licence")}`}
          </h2>
          <RequestProgress
            path={`${path}/${encodeURIComponent(request.id)}`}
            initial={request}
            onFinished={(r) => {
              setOutcome(r.status);
              licences.reload();
            }}
            doneText={(r) => `Added: ${licence.skuName} now has ${r.totalAfter} seats.`}
          />
          <p className="actions">
            <Link href="/">Back to My Licences</Link>
            <Link href={`/logs?sku=${encodeURIComponent(licence.skuId)}`}>View in Logs</Link>
            {outcome && (
              <button
                type="button"
                className="button secondary"
                onClick={() => {
                  setRequest(null);
                  setOutcome(null);
                }}
              >
                Add more
              </button>
            )}
          </p>
        </section>
      ) : (
        <form className="panel" onSubmit={review} noValidate>
          <fieldset disabled={!canChange || busy || licence.status !== "ACTIVE"}>
            <div className="field">
              <label htmlFor="quantity">Number of licences to add</label>
              <input
                id="quantity"
                type="number"
                inputMode="numeric"
                min={1}
                max={10000}
                value={quantity}
                aria-invalid={error ? true : undefined}
                aria-describedby={error ? "quantity-error" : "quantity-summary"}
                onChange={(e) => {
                  setQuantity(e.target.value);
                  setConfirming(false);
                }}
              />
              <FieldError id="quantity-error" message={error} />
            </div>
            <dl className="summary" id="quantity-summary" aria-live="polite">
              <div>
                <dt>Total after adding</dt>
                <dd data-testid="resulting-total">{valid ? `${licence.total + count} seats` : "—"}</dd>
              </div>
              <div>
                <dt>Price per licence</dt>
                <dd data-testid="per-seat-price">{perSeatText(perSeat, currency)}</dd>
              </div>
              <div>
                <dt>Cost of this change</dt>
                <dd data-testid="change-cost">
                  {perSeat === null ? estimate(null, null) : valid ? estimate(cost, currency, true) : "—"}
                </dd>
              </div>
            </dl>
            <PriceNote />
            <p className={isAnnual(licence.planName) ? "notice" : "muted"}>
              {licence.price.planExplanation}
            </p>
            {!confirming ? (
              <div className="form-actions">
                <button type="submit" className="button primary">
                  Continue
                </button>
                <Link href="/" className="button secondary">
                  Cancel
                </Link>
              </div>
            ) : (
              <div className="confirm" role="group" aria-labelledby="confirm-text">
                <p id="confirm-text">
                  Add <strong>{seats(count, "licence")}</strong> to {licence.skuName}, making{" "}
                  {licence.total + count} in total
                  {cost !== null ? `, for an ${estimate(cost, currency, true)}` : ""}?
                </p>
                <div className="form-actions">
                  <button type="button" className="button primary" onClick={() => void confirm()}>
                    {busy ? "Confirming…" : "Confirm"}
                  </button>
                  <button type="button" className="button secondary" onClick={() => setConfirming(false)}>
                    Change
                  </button>
                </div>
              </div>
            )}
          </fieldset>
        </form>
      )}
    </>
  );
}
