import { useState } from "react";
import type { MonthAdditions } from "../../api";
import { count, money, monthLabel, todayIn } from "../../format";
import { ErrorState, Loading, scrollable, useApi } from "../common";
import { AdditionsTable } from "./AdditionsTable";
import { DownloadButton } from "./DownloadButton";
import { previousMonth } from "./periods";

const SOURCE_KEYS = ["automatic", "manual", "purchase", "outside"] as const;
// Short column headings, so the totals fit at 1280 px.
const SOURCE_HEADINGS: Record<(typeof SOURCE_KEYS)[number], string> = {
  automatic: "Automatic",
  manual: "By hand",
  purchase: "Purchases",
  outside: "Outside Licence Manager",
};

// The report's currency is its prices'; none when no addition had a price.
function cost(pounds: number | null, currency: string | null): string {
  if (currency === null) return "No price set";
  return pounds === null ? "—" : money(Math.round(pounds * 100), currency);
}

// The month-end additions report the guide calls the crucial benefit for invoicing: every
// seat added in a calendar month (of the customer's zone), by every route, with totals per
// SKU, and the same CSV the month-end email attaches.
export function MonthEndReport({ base }: { base: string }) {
  const [month, setMonth] = useState(() => previousMonth(todayIn()));
  const path = `${base}/additions?month=${month}`;
  const found = useApi<MonthAdditions>(/^\d{4}-\d{2}$/.test(month) ? path : null);
  const data = found.data;
  const seats = data?.totals.reduce((sum, t) => sum + t.seatsAdded, 0) ?? 0;
  const estimated = data?.totals.reduce((sum, t) => sum + t.estimatedCost, 0) ?? 0;

  return (
    <section className="panel month-end" aria-labelledby="month-end-heading">
      <h2 id="month-end-heading">Month-end additions</h2>
      <p className="muted">
        Every licence added in a calendar month, by any route, for checking the invoice. The same report is emailed on
        the 1st to recipients who want it.
      </p>
      <div className="toolbar">
        <div className="field inline">
          <label htmlFor="month-end-month">Month</label>
          <input
            id="month-end-month"
            type="month"
            value={month}
            max={todayIn().slice(0, 7)}
            onChange={(e) => e.target.value && setMonth(e.target.value)}
          />
        </div>
        <DownloadButton
          path={path}
          filename={`licence-additions-${month}.csv`}
          label={`Download CSV of the month-end additions for ${monthLabel(month)}`}
        />
      </div>
      {found.error && <ErrorState error={found.error} retry={found.reload} />}
      {found.loading && <Loading what="the month's additions" />}
      {data && data.additions.length === 0 && (
        <p className="muted" data-testid="month-end-empty">
          No licences were added in {monthLabel(data.month)}.
        </p>
      )}
      {data && data.additions.length > 0 && (
        <>
          <h3>Totals for {monthLabel(data.month)}</h3>
          <div className="table-wrap" {...scrollable("Month-end totals")}>
            <table data-testid="month-end-totals">
              <thead>
                <tr>
                  <th scope="col">Licence</th>
                  <th scope="col" className="num">
                    Seats added
                  </th>
                  {SOURCE_KEYS.map((s) => (
                    <th scope="col" className="num" key={s}>
                      {SOURCE_HEADINGS[s]}
                    </th>
                  ))}
                  <th scope="col" className="num">
                    Estimated cost
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.totals.map((t) => (
                  <tr key={t.skuId}>
                    <th scope="row">{t.skuName}</th>
                    <td className="num">{count(t.seatsAdded)}</td>
                    {SOURCE_KEYS.map((s) => (
                      <td className="num" key={s}>
                        {count(t.bySource[s] ?? 0)}
                      </td>
                    ))}
                    <td className="num">{cost(t.estimatedCost, data.currency)}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row">All licences</th>
                  <td className="num" data-testid="month-end-seats">
                    {count(seats)}
                  </td>
                  {SOURCE_KEYS.map((s) => (
                    <td className="num" key={s}>
                      {count(data.totals.reduce((sum, t) => sum + (t.bySource[s] ?? 0), 0))}
                    </td>
                  ))}
                  <td className="num">{cost(estimated, data.currency)}</td>
                </tr>
              </tfoot>
            </table>
          </div>
          <h3>Each addition</h3>
          <AdditionsTable
            label="Month-end additions"
            testId="month-end-rows"
            rows={data.additions}
            licence={(a) => a.skuName}
            cost={(a) => cost(a.estimatedCost, data.currency)}
          />
          <p className="muted">
            Months run on {data.timeZone} time. Costs are estimates excluding VAT; Google's invoice is the final word.
          </p>
        </>
      )}
    </section>
  );
}
