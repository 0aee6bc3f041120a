import { useState, type FormEvent } from "react";
import { ApiError, call, type Catalogue, type SeatRequest } from "../api";
import { Empty, ErrorState, FieldError, Loading, PageHeader, useApi } from "../components/common";
import { RequestProgress } from "../components/Progress";
import { SpendingLimits } from "../components/SpendingLimits";
import { useCustomerPath, useSession } from "../context";
import { PriceNote } from "../components/PriceNote";
import { seats } from "../format";
import { estimate, NO_PRICE, perSeat as perSeatText } from "../prices";
import { Link } from "../router";
import { HeldOffline, OFFLINE_NOT_MANAGED } from "../components/HeldOffline";

export function Purchase() {
  const base = useCustomerPath();
  const { canChange } = useSession();
  const catalogue = useApi<Catalogue>(`${base}/catalogue`);
  const [skuId, setSkuId] = useState("");
  const [planName, setPlanName] = useState("FLEXIBLE");
  const [quantity, setQuantity] = useState("5");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [confirming, setConfirming] = useState(false);
  const [request, setRequest] = useState<(SeatRequest & { skuName: string }) | null>(null);
  const [busy, setBusy] = useState(false);

  if (catalogue.error) return <ErrorState error={catalogue.error} retry={catalogue.reload} />;
  if (!catalogue.data) return <Loading what="the catalogue" />;
  const available = catalogue.data.skus.filter((s) => !s.owned);
  const sku = available.find((s) => s.skuId === skuId);
  const chosenPlan = catalogue.data.plans.find((p) => p.planName === planName);
  const count = Number(quantity);
  const validCount =
    Number.isInteger(count) && count >= 1 && count <= (chosenPlan?.maxSeats ?? 10000);
  const price = sku ? sku.prices[planName] ?? null : null;
  const cost = validCount && price !== null ? price.perSeatMonthlyMinor * count : null;

  function review(event: FormEvent) {
    event.preventDefault();
    const found: Record<string, string> = {};
    if (!sku) found.skuId = "Choose the licence to buy.";
    if (!validCount) {
      found.seats = `Enter a whole number from 1 to ${chosenPlan?.maxSeats ?? 10000}.`;
    }
    setErrors(found);
    if (Object.keys(found).length === 0) setConfirming(true);
  }

  async function confirm() {
    if (!sku) return;
    setBusy(true);
    try {
      const made = await call<SeatRequest>(`${base}/purchases`, {
        method: "POST",
        body: { skuId: sku.skuId, planName, seats: count },
      });
      setRequest({ ...made, skuName: sku.skuName });
    } catch (e) {
      const failure = e as ApiError;
      setErrors(Object.keys(failure.errors).length ? failure.errors : { form: failure.message });
      setConfirming(false);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <PageHeader title="Purchase">
        <p className="muted">
          Buy a Google Workspace licence type you do not have yet. {OFFLINE_NOT_MANAGED}
        </p>
      </PageHeader>
      {!canChange && <p className="notice">Only the customer's admin can buy licences.</p>}
      <SpendingLimits />
      <HeldOffline skus={catalogue.data.skus.filter((s) => s.heldOffline)} />
      {request ? (
        <section className="panel">
          <h2>
            Buying {seats(request.seatsToAdd, "licence")} of {request.skuName}
          </h2>
          <RequestProgress
            path={`${base}/purchases/${encodeURIComponent(request.id)}`}
            initial={request}
            onFinished={() => catalogue.reload()}  // the SKU bought is no longer on offer
            doneText={(r) => `Bought: ${request.skuName} with ${r.totalAfter} seats. It is now in My Licences.`}
          />
          <p>
            <Link href="/">Go to My Licences</Link>
          </p>
        </section>
      ) : available.length === 0 ? (
        <Empty>
          <p>You already have every licence type in the catalogue.</p>
        </Empty>
      ) : (
        <form className="panel" onSubmit={review} noValidate>
          <fieldset disabled={!canChange || busy}>
            <div className="field">
              <label htmlFor="purchase-sku">Licence</label>
              <select
                id="purchase-sku"
                value={skuId}
                aria-invalid={errors.skuId ? true : undefined}
                aria-describedby={errors.skuId ? "purchase-sku-error" : undefined}
                onChange={(e) => {
                  setSkuId(e.target.value);
                  setConfirming(false);
                }}
              >
                <option value="">Choose a licence…</option>
                {available.map((s) => (
                  <option key={s.skuId} value={s.skuId}>
                    {s.skuName}
                  </option>
                ))}
              </select>
              <FieldError id="purchase-sku-error" message={errors.skuId} />
            </div>
            <fieldset className="radios">
              <legend>Plan</legend>
              {catalogue.data.plans.map((p) => {
                const offer = sku ? sku.prices[p.planName] ?? null : null;
                return (
                  <div className="check plan-choice" key={p.planName}>
                    <input
                      id={`plan-${p.planName}`}
                      type="radio"
                      name="plan"
                      checked={planName === p.planName}
                      aria-describedby={`plan-${p.planName}-text`}
                      onChange={() => {
                        setPlanName(p.planName);
                        setConfirming(false);
                      }}
                    />
                    <label htmlFor={`plan-${p.planName}`}>
                      {p.label}
                      {sku ? ` — ${perSeatText(offer?.perSeatMonthlyMinor, offer?.currency)}` : ""}
                    </label>
                    <p className="hint" id={`plan-${p.planName}-text`}>
                      {p.explanation}
                    </p>
                  </div>
                );
              })}
              <FieldError id="purchase-plan-error" message={errors.planName} />
            </fieldset>
            <div className="field">
              <label htmlFor="purchase-seats">Number of licences</label>
              <input
                id="purchase-seats"
                type="number"
                inputMode="numeric"
                min={1}
                max={chosenPlan?.maxSeats ?? 10000}
                value={quantity}
                aria-invalid={errors.seats ? true : undefined}
                aria-describedby={errors.seats ? "purchase-seats-error" : undefined}
                onChange={(e) => {
                  setQuantity(e.target.value);
                  setConfirming(false);
                }}
              />
              <FieldError id="purchase-seats-error" message={errors.seats} />
            </div>
            <dl className="summary" aria-live="polite">
              <div>
                <dt>Price</dt>
                <dd data-testid="purchase-cost">
                  {sku && price === null
                    ? NO_PRICE
                    : cost === null
                      ? "—"
                      : cost === 0
                        ? "Free"
                        : estimate(cost, price?.currency)}
                </dd>
              </div>
            </dl>
            <PriceNote />
            {errors.form && (
              <p className="field-error" role="alert">
                {errors.form}
              </p>
            )}
            {!confirming ? (
              <div className="form-actions">
                <button type="submit" className="button primary">
                  Continue
                </button>
              </div>
            ) : (
              <div className="confirm" role="group" aria-labelledby="purchase-confirm-text">
                <p id="purchase-confirm-text">
                  Buy <strong>{seats(count, "licence")}</strong> of {sku?.skuName} on the{" "}
                  {chosenPlan?.label.toLowerCase()} plan
                  {cost ? ` for an ${estimate(cost, price?.currency)}` : ""}?
                </p>
                <div className="form-actions">
                  <button type="button" className="button primary" onClick={() => void confirm()}>
                    {busy ? "Confirming…" : "Confirm purchase"}
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
