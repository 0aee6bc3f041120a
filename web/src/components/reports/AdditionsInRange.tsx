import type { Report } from "../../api";
import { count, plan, source, when } from "../../format";
import { scrollable } from "../common";

// Every addition in the range, by any route, with who made it and how it is billed.
export function AdditionsInRange({ report }: { report: Report }) {
  return (
    <section className="panel" aria-labelledby="topups-heading">
      <h2 id="topups-heading">Licences added</h2>
      {report.topUps.length === 0 ? (
        <p className="muted">No licences were added in this period.</p>
      ) : (
        <div className="table-wrap" {...scrollable("Licences added")}>
          <table>
            <thead>
              <tr>
                <th scope="col">When</th>
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
              </tr>
            </thead>
            <tbody>
              {report.topUps.map((t, i) => (
                <tr key={`${t.at}-${i}`}>
                  <td className="nowrap">{when(t.at)}</td>
                  <td className="num">{count(t.seatsAdded)}</td>
                  <td className="num">
                    {count(t.seatsBefore)} → {count(t.seatsAfter)}
                  </td>
                  <td>{source(t.source)}</td>
                  <td>{t.triggeredBy}</td>
                  <td>{t.planName ? plan(t.planName) : "—"}</td>
                  <td>{t.billing}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
