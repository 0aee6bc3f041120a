import { useQuery } from "@tanstack/react-query";
import { useSearchParams } from "react-router";
import { call, type ApiError, type Licence } from "../api";
import {
  DotsMenu,
  Empty,
  ErrorState,
  Loading,
  PageHeader,
  UtilisationBar,
} from "../components/common";
import { useCustomerPath, useSession } from "../context";
import { TopUpsPausedBanner } from "../components/TopUpsPaused";
import { useSyncStatus } from "../freshness";
import { count, isAnnual, plan, status, when } from "../format";
import { forecastLine, renewalLine } from "../outlook";
import { rowReclaim, reclaimPath, unavailableNotice } from "../reclaim";
import { Link, navigate, useAddressState } from "../router";
import { Filters } from "./LicenceFilters";
import { Freshness, Summary } from "./LicenceSummary";
import { MonthSavingsLine } from "./SavingsCard";
import {
  applyView,
  isFiltered,
  sortedColumn,
  viewFrom,
  withView,
  DEFAULT_VIEW,
  type LicenceView,
} from "./licenceView";

// How often the page re-reads the stored figures (not Google: the sync does that, on its own
// schedule, which the freshness line states).
const REFRESH_SECONDS = 10;

export function MyLicences() {
  const base = useCustomerPath();
  const { canChange, customerId } = useSession();
  const licences = useLiveLicences(`${base}/licences`);
  const sync = useSyncStatus(customerId);
  const [query, setQuery] = useSearchParams();
  // What is typed or chosen shows at once; the address follows (useAddressState).
  const [view, setView] = useAddressState(viewFrom(query), (v) => JSON.stringify(v));
  const change = (next: Partial<LicenceView>) => {
    const chosen = { ...view, ...next };
    setView(chosen);
    setQuery(withView(query, chosen), { replace: true });
  };

  return (
    <>
      <PageHeader title="My Licences">
        <p className="muted" data-testid="freshness">
          <Freshness sync={sync.data} /> <Link href="/purchase">Buy a new licence type</Link>
        </p>
        <MonthSavingsLine />
      </PageHeader>
      {licences.error && <ErrorState error={licences.error} retry={licences.reload} />}
      {licences.loading && !licences.data && <Loading what="your licences" />}
      {licences.data && licences.data.length === 0 && (
        <Empty>
          <p>No licences yet. They appear here after the first sync with Google Workspace.</p>
          <p>
            <Link href="/purchase">Buy licences</Link>
          </p>
        </Empty>
      )}
      {licences.data && licences.data.length > 0 && (
        <>
          <Summary path={`${base}/licence-summary`} licences={licences.data} />
          <ReclaimNotice notice={unavailableNotice(licences.data)} />
          {licences.data
            .filter((l) => l.topUpsPaused)
            .map((l) => (
              <TopUpsPausedBanner key={l.skuId} base={base} licence={l} canChange={canChange} onResumed={licences.reload} />
            ))}
          <Filters view={view} change={change} />
          <LicenceTable
            rows={applyView(licences.data, view)}
            of={licences.data.length}
            view={view}
            canChange={canChange}
            clear={() => change({ ...DEFAULT_VIEW, sort: view.sort })}
          />
        </>
      )}
    </>
  );
}

// The licences as stored now: read on arrival however recently another page read them (a
// setting saved a moment ago shows its badge at once), then every REFRESH_SECONDS.
function useLiveLicences(path: string) {
  const query = useQuery<Licence[], ApiError>({
    queryKey: ["api", path],
    queryFn: ({ signal }) => call<Licence[]>(path, { signal }),
    refetchInterval: REFRESH_SECONDS * 1000,
    refetchIntervalInBackground: false,
    refetchOnMount: "always",
  });
  return {
    data: query.data,
    // A failed refresh keeps the figures on screen; the error shows when there is nothing else.
    error: query.data === undefined ? query.error : null,
    loading: query.isPending,
    reload: () => void query.refetch(),
  };
}

function LicenceTable({
  rows,
  of,
  view,
  canChange,
  clear,
}: {
  rows: Licence[];
  of: number;
  view: LicenceView;
  canChange: boolean;
  clear: () => void;
}) {
  const sorted = sortedColumn(view.sort);
  const ariaSort = (column: typeof sorted.column) => (sorted.column === column ? sorted.order : undefined);
  return (
    <>
      {isFiltered(view) && (
        <p className="muted" role="status">
          Showing {count(rows.length)} of {count(of)} licence types.{" "}
          <button type="button" className="button link" onClick={clear}>
            Clear filters
          </button>
        </p>
      )}
      {rows.length > 0 && (
        <div className="table-wrap licences-wrap">
          <table className="licences">
            <caption className="visually-hidden">Licences by SKU</caption>
            <thead>
              <tr>
                <th scope="col" aria-sort={ariaSort("name")}>
                  Licence
                </th>
                <th scope="col" className="col-plan">
                  Plan
                </th>
                <th scope="col" className="num">
                  Assigned
                </th>
                <th scope="col" className="num">
                  Total
                </th>
                <th scope="col" className="num">
                  Vacant
                </th>
                <th scope="col" aria-sort={ariaSort("use")}>
                  Utilisation
                </th>
                <th scope="col" aria-sort={ariaSort("status")}>
                  Status
                </th>
                <th scope="col" className="col-when">
                  Last changed
                </th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((licence) => (
                <Row key={licence.skuId} licence={licence} canChange={canChange} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function Row({ licence, canChange }: { licence: Licence; canChange: boolean }) {
  const sku = encodeURIComponent(licence.skuId);
  const active = licence.status === "ACTIVE";
  return (
    <tr data-sku={licence.skuId}>
      <th scope="row">
        <span className="sku-name">{licence.skuName}</span>
        <span className="sku-plan">{plan(licence.planName)}</span>
        <Badges licence={licence} />
        <Reclaimable licence={licence} />
        <Outlook licence={licence} />
      </th>
      <td className="col-plan">{plan(licence.planName)}</td>
      <td className="num" data-label="Assigned">
        {count(licence.assigned)}
      </td>
      <td className="num" data-label="Total">
        {count(licence.total)}
      </td>
      <td className="num" data-label="Vacant">
        {count(licence.vacant)}
      </td>
      <td className="col-use">
        <UtilisationBar value={licence.utilisation} />
      </td>
      <td className="col-status">
        <span className={`status status-${licence.status.toLowerCase()}`}>
          {status(licence.status)}
        </span>
      </td>
      <td className="col-when">
        <time dateTime={licence.updatedAt} title="When Google's figures for it last changed">
          {when(licence.updatedAt)}
        </time>
      </td>
      <td className="actions">
        <DotsMenu
          label={`Actions for ${licence.skuName}`}
          items={[
            { label: "Settings", onSelect: () => navigate(`/licences/${sku}/settings`) },
            {
              label: "Add Licences",
              onSelect: () => navigate(`/licences/${sku}/add`),
              disabled: !canChange || !active,
              why: !canChange
                ? "Only the customer's admin can add licences"
                : !active
                  ? "Only an active licence can have licences added"
                  : undefined,
            },
            // Only annual plans renew: their renewal date, setting and recommendation.
            ...(isAnnual(licence.planName)
              ? [{ label: "Renewal", onSelect: () => navigate(`/licences/${sku}/renewal`) }]
              : []),
            { label: "Reports", onSelect: () => navigate(`/reports?sku=${sku}`) },
            { label: "Logs", onSelect: () => navigate(`/logs?sku=${sku}`) },
          ]}
        />
      </td>
    </tr>
  );
}

// "3 reclaimable · £41.40 a month", from the daily check of who holds each seat.
function Reclaimable({ licence }: { licence: Licence }) {
  const shown = rowReclaim(licence.reclaim);
  if (!shown) return null;
  const words = licence.reclaim?.words ?? undefined;
  return (
    <span className="reclaim-line" data-testid="reclaimable" title={words}>
      {licence.reclaim?.count ? (
        <Link href={reclaimPath(licence.skuId)}>{shown.label}</Link>
      ) : (
        <span className="muted">{shown.label}</span>
      )}
      {shown.cost && <span className="muted reclaim-cost">{shown.cost}</span>}
    </span>
  );
}

// What lies ahead, under the licence's name: the run-out forecast (muted while there is too
// little history to guess) and, for an annual plan, when it renews, how, and how many seats to
// renew, with a warning when the renewal setting would re-commit seats nobody uses.
function Outlook({ licence }: { licence: Licence }) {
  const forecast = forecastLine(licence.forecast);
  const renewal = licence.renewal;
  if (!forecast && !renewal) return null;
  return (
    <span className="outlook">
      {forecast && (
        <span className={forecast.muted ? "outlook-line muted" : "outlook-line"} data-testid="forecast">
          {forecast.text}
        </span>
      )}
      {renewal && (
        <span className="outlook-line" data-testid="renewal">
          {renewalLine(renewal)}
          <span className="outlook-line muted" data-testid="renewal-recommendation">
            {renewal.recommendation.words}
          </span>
          {renewal.warning && (
            <span className="outlook-line outlook-warning" role="note" data-testid="renewal-warning">
              <strong>Warning:</strong> {renewal.warning.words}
            </span>
          )}
        </span>
      )}
    </span>
  );
}

// Said once above the table: the rows cannot show reclaimable seats, and why (generic words).
function ReclaimNotice({ notice }: { notice: string | null }) {
  if (!notice) return null;
  return (
    <p className="notice" role="note" data-testid="reclaim-notice">
      {notice}
    </p>
  );
}

function Badges({ licence }: { licence: Licence }) {
  const badges: { text: string; tone: string; title: string }[] = [];
  if (licence.lowLicenceAlert) {
    badges.push({ text: "Low licences", tone: "warn", title: "A low-licence alert was sent" });
  }
  if (licence.topUpInProgress) {
    badges.push({ text: "Adding licences", tone: "info", title: "A top-up is being made now" });
  }
  if (licence.settings.autoTopUp) {
    badges.push({ text: "Auto top-up", tone: "ok", title: licence.settings.description });
  }
  if (licence.settings.lowLicenceAlert) {
    badges.push({ text: "Alerts on", tone: "ok", title: licence.settings.description });
  }
  if (licence.topUpsPaused) {
    badges.push({ text: "Top-ups paused", tone: "warn", title: licence.topUpsPaused.words });
  } else if (licence.automationPaused) {
    badges.push({
      text: "Top-ups paused",
      tone: "warn",
      title: "Google refused the last top-up; save the settings again to resume",
    });
  }
  if (badges.length === 0) return null;
  return (
    <span className="badges">
      {badges.map((b) => (
        <span key={b.text} className={`badge badge-${b.tone}`} title={b.title}>
          {b.text}
        </span>
      ))}
    </span>
  );
}
