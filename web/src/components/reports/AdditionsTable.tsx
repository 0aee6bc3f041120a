import type { ReactNode } from "react";
import { count, plan, source, when } from "../../format";
import { scrollable } from "../common";

// The fields every addition shows, in the range's list and in the month-end report alike.
export type AdditionRow = {
  at: string;
  seatsAdded: number;
  seatsBefore: number | null;
  seatsAfter: number | null;
  source: string;
  triggeredBy: string;
  planName: string | null;
  billing: string;
};

// One table of additions: when, how many, how, who, plan and billing; the month-end report adds
// the licence's name (it covers every licence) and each addition's estimated cost.
export function AdditionsTable<T extends AdditionRow>({
  label,
  rows,
  licence,
  cost,
  testId,
}: {
  label: string;
  rows: T[];
  licence?: (row: T) => string;
  cost?: (row: T) => ReactNode;
  testId?: string;
}) {
  return (
    <div className="table-wrap" {...scrollable(label)}>
      <table data-testid={testId}>
        <thead>
          <tr>
            <th scope="col">When</th>
            {licence && <th scope="col">Licence</th>}
            <th scope="col" className="num">
              Added
            </th>
            <th scope="col" className="num">
              Seats before → after
            </th>
            <th scope="col">How</th>
            <th scope="col">By</th>
            <th scope="col">Plan</th>
            <th scope="col">Billing</th>
            {cost && (
              <th scope="col" className="num">
                Estimated cost
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {rows.map((a, i) => (
            <tr key={`${a.at}-${i}`}>
              <td className="nowrap">{when(a.at)}</td>
              {licence && <td>{licence(a)}</td>}
              <td className="num">{count(a.seatsAdded)}</td>
              <td className="num">
                {count(a.seatsBefore)} → {count(a.seatsAfter)}
              </td>
              <td>{source(a.source)}</td>
              <td>{a.triggeredBy}</td>
              <td>{a.planName ? plan(a.planName) : "—"}</td>
              <td>{a.billing}</td>
              {cost && <td className="num">{cost(a)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
