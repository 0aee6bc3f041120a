import { useId } from "react";
import { status } from "../format";
import { SORTS, STATUSES, USE_FILTERS, type LicenceView } from "./licenceView";

// My Licences' filters and sort (kept in the address by the page: licenceView.ts).
export function Filters({ view, change }: { view: LicenceView; change: (next: Partial<LicenceView>) => void }) {
  const id = useId();
  return (
    <form className="filters" role="search" aria-label="Licences" onSubmit={(e) => e.preventDefault()}>
      <div>
        <label htmlFor={`${id}-q`}>Name</label>
        <input
          id={`${id}-q`}
          type="search"
          value={view.q}
          maxLength={100}
          placeholder="e.g. Business"
          onChange={(e) => change({ q: e.target.value })}
        />
      </div>
      <div>
        <label htmlFor={`${id}-status`}>Status</label>
        <select id={`${id}-status`} value={view.status} onChange={(e) => change({ status: e.target.value })}>
          <option value="all">Any status</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {status(s)}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor={`${id}-use`}>Utilisation</label>
        <select
          id={`${id}-use`}
          value={view.use}
          onChange={(e) => change({ use: e.target.value as LicenceView["use"] })}
        >
          {USE_FILTERS.map((u) => (
            <option key={u.value} value={u.value}>
              {u.label}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor={`${id}-sort`}>Sort by</label>
        <select
          id={`${id}-sort`}
          value={view.sort}
          onChange={(e) => change({ sort: e.target.value as LicenceView["sort"] })}
        >
          {SORTS.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </select>
      </div>
    </form>
  );
}

