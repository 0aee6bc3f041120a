import type { Report } from "../../api";
import { AdditionsTable } from "./AdditionsTable";

// Every addition in the range, by any route, with who made it and how it is billed.
export function AdditionsInRange({ report }: { report: Report }) {
  return (
    <section className="panel" aria-labelledby="topups-heading">
      <h2 id="topups-heading">Licences added</h2>
      {report.topUps.length === 0 ? (
        <p className="muted">No licences were added in this period.</p>
      ) : (
        <AdditionsTable label="Licences added" rows={report.topUps} />
      )}
    </section>
  );
}
