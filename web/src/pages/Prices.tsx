import { useState, type FormEvent } from "react";
import { ApiError, call, type Catalogue } from "../api";
import { ErrorState, FieldError, Loading, PageHeader, scrollable, useApi } from "../components/common";
import { PriceChanges, PriceDiscounts } from "../components/PriceDiscounts";
import { useSession } from "../context";
import { money, plan, when } from "../format";
import { NO_PRICE, parseCurrency, parseMajor, toMajor, type ListPrice, type PriceList } from "../prices";

type Row = { skuId: string; skuName: string; planName: string; price: ListPrice | null };

// Every catalogue SKU on every plan, priced or not, then any priced SKU the catalogue lacks.
function rowsOf(catalogue: Catalogue, list: PriceList): Row[] {
  const priced = new Map(list.prices.map((p) => [`${p.skuId}_${p.planName}`, p]));
  const rows: Row[] = catalogue.skus.flatMap((sku) =>
    catalogue.plans.map((p) => ({
      skuId: sku.skuId,
      skuName: sku.skuName,
      planName: p.planName,
      price: priced.get(`${sku.skuId}_${p.planName}`) ?? null,
    })),
  );
  const shown = new Set(rows.map((r) => `${r.skuId}_${r.planName}`));
  for (const p of list.prices) {
    if (!shown.has(`${p.skuId}_${p.planName}`)) rows.push({ ...p, price: p });
  }
  return rows;
}

// Reseller operations: the price list every estimate in the dashboard is made from.
export function Prices() {
  const { me } = useSession();
  const list = useApi<PriceList>("/prices");
  const catalogue = useApi<Catalogue>("/catalogue");
  const [editing, setEditing] = useState<Row | null>(null);
  const reload = () => {
    list.reload();
    catalogue.reload();
  };
  if (me.role !== "reseller_ops") {
    return (
      <>
        <PageHeader title="Prices" />
        <p className="notice">Only reseller operations maintain the price list.</p>
      </>
    );
  }
  const failed = list.error ?? catalogue.error;
  if (failed) return <ErrorState error={failed} retry={reload} />;
  if (!list.data || !catalogue.data) return <Loading what="the price list" />;
  return (
    <>
      <PageHeader title="Prices">
        <p className="muted">
          Per seat per month, excluding VAT, in each price's currency. Customers see these less their
          discount, always as estimates; a SKU and plan without a price shows "{NO_PRICE}".
        </p>
      </PageHeader>
      <div className="table-wrap" {...scrollable("Price list")}>
        <table className="prices">
          <caption className="visually-hidden">Prices by SKU and plan</caption>
          <thead>
            <tr>
              <th scope="col">SKU</th>
              <th scope="col">Plan</th>
              <th scope="col" className="num">
                A seat a month (ex VAT)
              </th>
              <th scope="col" className="price-updated">
                Updated
              </th>
            </tr>
          </thead>
          <tbody>
            {rowsOf(catalogue.data, list.data).map((row) => (
              <tr key={`${row.skuId}_${row.planName}`} data-testid={`price-${row.skuId}-${row.planName}`}>
                <th scope="row">
                  <span className="sku-name">{row.skuName}</span>
                  <span className="muted small">{row.skuId}</span>
                </th>
                <td>{plan(row.planName)}</td>
                <td className="num">
                  <span className="price-figure">
                    {row.price ? money(row.price.perSeatMonthlyMinor, row.price.currency) : NO_PRICE}
                  </span>{" "}
                  <button
                    type="button"
                    className="button secondary"
                    aria-label={`Edit the price of ${row.skuName} on ${plan(row.planName)}`}
                    onClick={() => setEditing(row)}
                  >
                    Edit
                  </button>
                </td>
                <td className="muted small price-updated">
                  {row.price?.updatedAt ? `${when(row.price.updatedAt)}, ${row.price.updatedBy ?? ""}` : "—"}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {editing && (
        <EditPrice
          key={`${editing.skuId}_${editing.planName}`}
          row={editing}
          onDone={() => {
            setEditing(null);
            reload();
          }}
          onCancel={() => setEditing(null)}
        />
      )}
      <PriceDiscounts discounts={list.data.discounts} me={me} onChanged={reload} />
      <PriceChanges changes={list.data.changes ?? []} />
    </>
  );
}

function EditPrice({ row, onDone, onCancel }: { row: Row; onDone: () => void; onCancel: () => void }) {
  const [amount, setAmount] = useState(row.price ? toMajor(row.price.perSeatMonthlyMinor) : "");
  const [currencyText, setCurrencyText] = useState(row.price?.currency ?? "GBP");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [confirming, setConfirming] = useState<"save" | "remove" | null>(null);
  const [busy, setBusy] = useState(false);
  const parsedAmount = parseMajor(amount);
  const parsedCurrency = parseCurrency(currencyText);
  const path = `/prices/${encodeURIComponent(row.skuId)}/${encodeURIComponent(row.planName)}`;
  const what = `${row.skuName} on ${plan(row.planName)}`;
  const was = row.price ? money(row.price.perSeatMonthlyMinor, row.price.currency) : NO_PRICE.toLowerCase();

  function review(event: FormEvent) {
    event.preventDefault();
    const found: Record<string, string> = {};
    if ("error" in parsedAmount) found.perSeatMonthlyMinor = parsedAmount.error;
    if ("error" in parsedCurrency) found.currency = parsedCurrency.error;
    setErrors(found);
    setConfirming(Object.keys(found).length === 0 ? "save" : null);
  }

  async function commit() {
    setBusy(true);
    try {
      if (confirming === "remove") {
        await call(path, { method: "DELETE" });
      } else if ("minor" in parsedAmount && "currency" in parsedCurrency) {
        const body = { perSeatMonthlyMinor: parsedAmount.minor, currency: parsedCurrency.currency };
        await call(path, { method: "PUT", body });
      }
      onDone();
    } catch (e) {
      const error = e as ApiError;
      setErrors({ ...error.errors, form: Object.keys(error.errors).length ? "" : error.message });
      setConfirming(null);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="panel" onSubmit={review} noValidate aria-labelledby="edit-price-heading">
      <h2 id="edit-price-heading">Price of {what}</h2>
      <fieldset disabled={busy}>
        <div className="field">
          <label htmlFor="price-amount">Price a seat a month, excluding VAT</label>
          <input
            id="price-amount"
            inputMode="decimal"
            value={amount}
            autoFocus
            aria-invalid={errors.perSeatMonthlyMinor ? true : undefined}
            aria-describedby={errors.perSeatMonthlyMinor ? "price-amount-error" : undefined}
            onChange={(e) => {
              setAmount(e.target.value);
              setConfirming(null);
            }}
          />
          <FieldError id="price-amount-error" message={errors.perSeatMonthlyMinor} />
        </div>
        <div className="field">
          <label htmlFor="price-currency">Currency (ISO 4217)</label>
          <input
            id="price-currency"
            value={currencyText}
            maxLength={3}
            autoCapitalize="characters"
            aria-invalid={errors.currency ? true : undefined}
            aria-describedby={errors.currency ? "price-currency-error" : undefined}
            onChange={(e) => {
              setCurrencyText(e.target.value);
              setConfirming(null);
            }}
          />
          <FieldError id="price-currency-error" message={errors.currency} />
        </div>
        {errors.form && (
          <p className="field-error" role="alert">
            {errors.form}
          </p>
        )}
        {confirming ? (
          <div className="confirm" role="group" aria-labelledby="price-confirm-text">
            <p id="price-confirm-text">
              {confirming === "remove"
                ? `Remove the price of ${what} (now ${was})? Customers will see "${NO_PRICE}".`
                : `Set ${what} to ${"minor" in parsedAmount && "currency" in parsedCurrency ? money(parsedAmount.minor, parsedCurrency.currency) : ""} a seat a month (was ${was})? Every customer's estimates follow at once.`}
            </p>
            <div className="form-actions">
              <button type="button" className="button primary" onClick={() => void commit()}>
                {busy ? "Saving…" : confirming === "remove" ? "Remove price" : "Confirm price"}
              </button>
              <button type="button" className="button secondary" onClick={() => setConfirming(null)}>
                Change
              </button>
            </div>
          </div>
        ) : (
          <div className="form-actions">
            <button type="submit" className="button primary">
              Continue
            </button>
            {row.price && (
              <button type="button" className="button secondary" onClick={() => setConfirming("remove")}>
                Remove price
              </button>
            )}
            <button type="button" className="button secondary" onClick={onCancel}>
              Cancel
            </button>
          </div>
        )}
      </fieldset>
    </form>
  );
}
