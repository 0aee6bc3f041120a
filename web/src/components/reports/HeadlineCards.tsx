import type { Report } from "../../api";
import { count, percent } from "../../format";

// The sources a seat can be added by, in the order the breakdown lists them.
const SOURCES: { key: string; label: string; counted: string }[] = [
  { key: "automatic", label: "Automatic top-ups", counted: "automatic top-ups" },
  { key: "manual", label: "Added by hand", counted: "additions by hand" },
  { key: "purchase", label: "Purchases", counted: "purchases" },
  {
    key: "outside",
    label: "Outside Licence Manager",
    counted: "changes made outside Licence Manager (e.g. in Google's Admin console)",
  },
];

function plural(n: number, one: string, many: string): string {
  return `${count(n)} ${n === 1 ? one : many}`;
}

function listed(keys: string[]): string {
  const words = keys.map((k) => SOURCES.find((s) => s.key === k)?.counted ?? k);
  return words.length <= 1 ? (words[0] ?? "") : `${words.slice(0, -1).join(", ")} and ${words.at(-1)}`;
}

// The guide's four metrics. Total Top-Ups is automatic top-ups (the guide's meaning); Total
// Licences Added is seats from every route, broken down so the two cards cannot disagree.
export function HeadlineCards({ report }: { report: Report }) {
  const m = report.metrics;
  const added = m.licencesAddedBySource ?? {};
  const counts = m.counts ?? {
    totalTopUps: ["automatic"],
    totalLicencesAdded: SOURCES.map((s) => s.key),
  };
  return (
    <>
      <ul className="cards" aria-label="Key figures" aria-describedby="cards-note">
        <li className="card">
          <span className="card-label">Available Licences</span>
          <span className="card-value" data-testid="metric-available">
            {count(m.availableLicences)}
          </span>
          <span className="card-note">vacant now</span>
        </li>
        <li className="card">
          <span className="card-label">Average Utilisation</span>
          <span className="card-value" data-testid="metric-utilisation">
            {percent(m.averageUtilisation)}
          </span>
          <span className="card-note">of seats used over the period</span>
        </li>
        <li className="card">
          <span className="card-label">Total Top-Ups</span>
          <span className="card-value" data-testid="metric-topups">
            {count(m.totalTopUps)}
          </span>
          <span className="card-note" data-testid="metric-topups-beside">
            automatic top-ups; plus {plural(m.manualAdditions ?? 0, "manual addition", "manual additions")} and{" "}
            {plural(m.purchases ?? 0, "purchase", "purchases")}
          </span>
        </li>
        <li className="card">
          <span className="card-label">Total Licences Added</span>
          <span className="card-value" data-testid="metric-added">
            {count(m.totalLicencesAdded)}
          </span>
          <dl className="card-breakdown" aria-label="Licences added by source">
            {SOURCES.map((s) => (
              <div key={s.key}>
                <dt>{s.label}</dt>
                <dd data-testid={`added-${s.key}`}>{count(added[s.key] ?? 0)}</dd>
              </div>
            ))}
          </dl>
        </li>
      </ul>
      <p className="muted cards-note" id="cards-note">
        Total Top-Ups counts {listed(counts.totalTopUps)} only, as the user guide describes. Total
        Licences Added counts the seats added by {listed(counts.totalLicencesAdded)}.
      </p>
    </>
  );
}
