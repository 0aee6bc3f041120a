// The Savings card on the Reclaim page: what Licence Manager saved the customer in a month, by
// kind, with the lines, the total since they joined, and plain words on how each kind is valued
// (and why raising a flexible plan's seat limit never counts). Read-only.
import { useState } from "react";
import { ErrorState, Loading, useApi } from "../components/common";
import { useCustomerPath } from "../context";
import { count, day, money } from "../format";
import { Link } from "../router";
import { kindWords, monthWords, shiftMonth, totalWords, type MonthSavings, type Savings } from "../savings";

export function SavingsCard() {
  const base = useCustomerPath();
  // null: this month on the customer's clock, as the server counts it.
  const [month, setMonth] = useState<string | null>(null);
  const found = useApi<Savings>(`${base}/savings${month ? `?month=${month}` : ""}`);
  const body = found.data;

  return (
    <section className="panel savings" aria-labelledby="savings-heading" data-testid="savings-card">
      <h2 id="savings-heading">Savings</h2>
      {found.error && <ErrorState error={found.error} retry={found.reload} />}
      {!body && !found.error && <Loading what="savings" />}
      {body && (
        <>
          <div className="toolbar">
            <button
              type="button"
              className="button secondary"
              onClick={() => setMonth(shiftMonth(body.month, -1))}
              aria-label="Previous month"
            >
              ‹
            </button>
            <strong aria-live="polite" data-testid="savings-month">
              {monthWords(body.month)}
            </strong>
            <button
              type="button"
              className="button secondary"
              onClick={() => setMonth(shiftMonth(body.month, 1))}
              aria-label="Next month"
            >
              ›
            </button>
          </div>
          <p>
            Saved in {monthWords(body.month)}: <strong data-testid="savings-total">{totalWords(body.totals)}</strong>. Since you
            joined: <strong data-testid="savings-since-joined">{totalWords(body.sinceJoined)}</strong>.{" "}
            <span className="muted">{body.estimate}</span>
          </p>
          <dl className="savings-kinds">
            {body.kinds.map((k) => (
              <div key={k.kind} data-kind={k.kind}>
                <dt>
                  {k.label}: <strong>{kindWords(body.totals, k.kind)}</strong>
                </dt>
                <dd className="muted small">{k.explanation}</dd>
              </div>
            ))}
          </dl>
          <p className="hint">{body.flexibleCapRule}</p>
          {body.lines.length === 0 ? (
            <p className="muted">No savings recorded in {monthWords(body.month)}.</p>
          ) : (
            <div className="table-wrap">
              <table className="savings-lines">
                <caption className="visually-hidden">Savings in {monthWords(body.month)}</caption>
                <thead>
                  <tr>
                    <th scope="col">Date</th>
                    <th scope="col">Licence</th>
                    <th scope="col">Kind</th>
                    <th scope="col" className="num">
                      Seats
                    </th>
                    <th scope="col" className="num">
                      Saved
                    </th>
                    <th scope="col">How it was valued</th>
                  </tr>
                </thead>
                <tbody>
                  {body.lines.map((s) => (
                    <tr key={s.savingId} data-kind={s.kind}>
                      <td className="nowrap">{day(s.at)}</td>
                      <td>{s.skuName}</td>
                      <td>{s.kindLabel}</td>
                      <td className="num">{count(s.seats)}</td>
                      <td className="num">
                        {s.amountMinor !== null && s.currency ? money(s.amountMinor, s.currency) : "No price set"}
                      </td>
                      <td className="small">{s.words}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}

// My Licences' header: this month's savings, from one document, read once (not polled with the
// rows); nothing while loading or when it cannot be read.
export function MonthSavingsLine() {
  const base = useCustomerPath();
  const found = useApi<MonthSavings>(`${base}/savings/this-month`);
  if (!found.data) return null;
  return (
    <p className="muted" data-testid="month-savings">
      Saved this month: <strong>{totalWords(found.data.totals)}</strong> (estimated, excluding VAT).{" "}
      <Link href="/reclaim">Details on the Reclaim page</Link>
    </p>
  );
}
