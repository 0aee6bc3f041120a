import {
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from "chart.js";
import { useEffect, useRef, useState } from "react";
import type { Licence, Report } from "../api";
import { Empty, ErrorState, Loading, PageHeader, useApi } from "../components/common";
import { useCustomerPath } from "../context";
import { percent, plan, source, todayInZone, when } from "../format";
import { navigate, useLocation } from "../router";

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Tooltip, Legend, Filler);

type Preset = "day" | "week" | "month" | "year" | "custom";
type Granularity = "day" | "week" | "month";

const PRESETS: { key: Preset; label: string }[] = [
  { key: "day", label: "Day" },
  { key: "week", label: "Week" },
  { key: "month", label: "Month" },
  { key: "year", label: "Year" },
  { key: "custom", label: "Custom" },
];

function iso(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

function rangeOf(preset: Preset): { from: string; to: string; granularity: Granularity } {
  const today = todayInZone(); // the customer's today, not the browser's
  const start = new Date(today);
  switch (preset) {
    case "week":
      start.setDate(start.getDate() - 7 * 12 + 1);
      return { from: iso(start), to: iso(today), granularity: "week" };
    case "month":
      start.setMonth(start.getMonth() - 11, 1);
      return { from: iso(start), to: iso(today), granularity: "month" };
    case "year":
      return { from: `${today.getFullYear()}-01-01`, to: iso(today), granularity: "month" };
    default:
      start.setDate(start.getDate() - 29);
      return { from: iso(start), to: iso(today), granularity: "day" };
  }
}

export function Reports() {
  const base = useCustomerPath();
  const { query } = useLocation();
  const licences = useApi<Licence[]>(`${base}/licences`);
  const skuId = query.get("sku") ?? licences.data?.[0]?.skuId ?? "";
  const [preset, setPreset] = useState<Preset>("day");
  const [custom, setCustom] = useState(() => rangeOf("day"));
  const range = preset === "custom" ? custom : rangeOf(preset);
  const reportPath = skuId
    ? `${base}/licences/${encodeURIComponent(skuId)}/report?from=${range.from}&to=${range.to}&granularity=${range.granularity}`
    : null;
  const report = useApi<Report>(reportPath);
  const licence = licences.data?.find((l) => l.skuId === skuId);

  return (
    <>
      <PageHeader title="Reports" />
      {licences.error && <ErrorState error={licences.error} retry={licences.reload} />}
      {!licences.data && !licences.error && <Loading what="your licences" />}
      {licences.data && licences.data.length === 0 && <Empty>No licences to report on yet.</Empty>}
      {licences.data && licences.data.length > 0 && (
        <>
          <div className="toolbar">
            <div className="field inline">
              <label htmlFor="report-sku">Licence</label>
              <select
                id="report-sku"
                value={skuId}
                onChange={(e) => navigate(`/reports?sku=${encodeURIComponent(e.target.value)}`, true)}
              >
                {licences.data.map((l) => (
                  <option key={l.skuId} value={l.skuId}>
                    {l.skuName}
                  </option>
                ))}
              </select>
            </div>
            <div className="segmented" role="group" aria-label="Period">
              {PRESETS.map((p) => (
                <button
                  key={p.key}
                  type="button"
                  aria-pressed={preset === p.key}
                  onClick={() => setPreset(p.key)}
                >
                  {p.label}
                </button>
              ))}
            </div>
          </div>
          {preset === "custom" && (
            <div className="toolbar custom-range">
              <div className="field inline">
                <label htmlFor="report-from">From</label>
                <input
                  id="report-from"
                  type="date"
                  value={custom.from}
                  max={custom.to}
                  onChange={(e) => e.target.value && setCustom({ ...custom, from: e.target.value })}
                />
              </div>
              <div className="field inline">
                <label htmlFor="report-to">To</label>
                <input
                  id="report-to"
                  type="date"
                  value={custom.to}
                  min={custom.from}
                  onChange={(e) => e.target.value && setCustom({ ...custom, to: e.target.value })}
                />
              </div>
              <div className="field inline">
                <label htmlFor="report-granularity">Show by</label>
                <select
                  id="report-granularity"
                  value={custom.granularity}
                  onChange={(e) => setCustom({ ...custom, granularity: e.target.value as Granularity })}
                >
                  <option value="day">Day</option>
                  <option value="week">Week</option>
                  <option value="month">Month</option>
                </select>
              </div>
            </div>
          )}
          <p className="muted" aria-live="polite">
            {licence?.skuName}: {range.from} to {range.to}, by {range.granularity}
            {report.data?.timeZone ? ` (${report.data.timeZone} time)` : ""}.
          </p>
          {report.error && <ErrorState error={report.error} retry={report.reload} />}
          {report.loading && !report.data && <Loading what="the report" />}
          {report.data && <ReportView report={report.data} />}
        </>
      )}
    </>
  );
}

function ReportView({ report }: { report: Report }) {
  const m = report.metrics;
  const bySource = m.licencesAddedBySource ?? {};
  const breakdown = Object.entries(bySource).filter(([, n]) => n > 0);
  return (
    <>
      <ul className="cards" aria-label="Key figures">
        <li className="card">
          <span className="card-label">Available Licences</span>
          <span className="card-value" data-testid="metric-available">
            {m.availableLicences}
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
            {m.totalTopUps}
          </span>
          <span className="card-note">automatic, by hand and purchases</span>
        </li>
        <li className="card">
          <span className="card-label">Total Licences Added</span>
          <span className="card-value" data-testid="metric-added">
            {m.totalLicencesAdded}
          </span>
          <span className="card-note">
            {breakdown.length
              ? breakdown.map(([s, n]) => `${source(s)}: ${n}`).join(" · ")
              : "none in this period"}
          </span>
        </li>
      </ul>
      {report.series.length === 0 ? (
        <Empty>No usage recorded in this period.</Empty>
      ) : (
        <UsageChart report={report} />
      )}
      <section className="panel" aria-labelledby="topups-heading">
        <h2 id="topups-heading">Licences added</h2>
        {report.topUps.length === 0 ? (
          <p className="muted">No licences were added in this period.</p>
        ) : (
          <div className="table-wrap">
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
                    <td>{when(t.at)}</td>
                    <td className="num">{t.seatsAdded}</td>
                    <td className="num">
                      {t.seatsBefore ?? "—"} → {t.seatsAfter ?? "—"}
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
    </>
  );
}

function UsageChart({ report }: { report: Report }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const labels = report.series.map((p) => p.period);
    const chart = new Chart(canvas.current, {
      type: "line",
      data: {
        labels,
        datasets: [
          {
            label: "Total seats",
            data: report.series.map((p) => p.total),
            borderColor: "#1a56db",
            backgroundColor: "#1a56db",
            stepped: true,
            pointRadius: 0,
          },
          {
            label: "Assigned seats",
            data: report.series.map((p) => p.assigned),
            borderColor: "#0e7c3a",
            backgroundColor: "rgba(14, 124, 58, 0.12)",
            fill: true,
            pointRadius: 2,
          },
          {
            label: "Licences added",
            data: report.series.map((p) => (p.licencesAdded ? p.total : null)),
            borderColor: "#b45309",
            backgroundColor: "#b45309",
            showLine: false,
            pointStyle: "triangle",
            pointRadius: 8,
          },
        ],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "Seats" } } },
        plugins: {
          tooltip: {
            callbacks: {
              afterBody: (items) => {
                const added = report.series[items[0]?.dataIndex ?? 0]?.licencesAdded;
                return added ? `${added} licence${added === 1 ? "" : "s"} added` : "";
              },
            },
          },
        },
      },
    });
    return () => chart.destroy();
  }, [report]);

  return (
    <figure className="chart">
      <div className="chart-box">
        <canvas
          ref={canvas}
          role="img"
          aria-label="Assigned and total seats over the period, with the periods in which licences were added marked"
        />
      </div>
      <figcaption>
        <details>
          <summary>Show the figures as a table</summary>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Period</th>
                  <th scope="col" className="num">
                    Assigned
                  </th>
                  <th scope="col" className="num">
                    Total
                  </th>
                  <th scope="col" className="num">
                    Average utilisation
                  </th>
                  <th scope="col" className="num">
                    Licences added
                  </th>
                </tr>
              </thead>
              <tbody>
                {report.series.map((p) => (
                  <tr key={p.period}>
                    <th scope="row">{p.period}</th>
                    <td className="num">{p.assigned ?? "—"}</td>
                    <td className="num">{p.total ?? "—"}</td>
                    <td className="num">{percent(p.averageUtilisation)}</td>
                    <td className="num">{p.licencesAdded ?? 0}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      </figcaption>
    </figure>
  );
}
