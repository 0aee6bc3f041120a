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
import { useEffect, useMemo, useRef } from "react";
import type { Report } from "../../api";
import { count, fullDate, percent } from "../../format";
import { Empty, scrollable } from "../common";
import { chartData, forecastOverlay, marks, type ForecastOverlay } from "./chartData";
import type { Granularity } from "./periods";

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Tooltip, Legend, Filler);

export const TOTAL_COLOUR = "#1a56db";
export const ASSIGNED_COLOUR = "#0e7c3a";
const TOP_UP_COLOUR = "#b45309";
const OTHER_COLOUR = "#7c3aed";
// The forecast after today: a dashed line of expected assigned seats in a shaded 80% band.
export const FORECAST_COLOUR = "#52606d";
export const BAND_COLOUR = "rgba(82, 96, 109, 0.22)";
const BAND_LOW = "Forecast, 80% range low end";

const AXIS_TITLES: Record<Granularity, string> = { day: "Day", week: "Week commencing", month: "Month" };

// Assigned and total seats over the range, with the additions marked on the total line, and
// the same figures as a table for those who cannot see the chart.
export function UsageChart({ report, granularity }: { report: Report; granularity: Granularity }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const data = useMemo(() => chartData(report.series, granularity), [report.series, granularity]);
  const { points } = data;
  const overlay = useMemo(
    () => forecastOverlay(points, report.forecast, granularity),
    [points, report.forecast, granularity],
  );

  useEffect(() => {
    if (!canvas.current || points.length === 0) return;
    const marked = marks(points);
    const inFull = overlay?.inFull ?? points.map((p) => p.inFull);
    const forecastSets = overlay
      ? [
          {
            label: BAND_LOW,
            data: overlay.low,
            borderColor: "transparent",
            backgroundColor: "transparent",
            pointRadius: 0,
            fill: false,
            order: 6,
          },
          {
            label: "Forecast 80% range",
            data: overlay.high,
            borderColor: "transparent",
            backgroundColor: BAND_COLOUR,
            pointRadius: 0,
            fill: "-1" as const, // down to the low end: the band
            order: 5,
          },
          {
            label: "Expected assigned seats (forecast)",
            data: overlay.expected,
            borderColor: FORECAST_COLOUR,
            backgroundColor: FORECAST_COLOUR,
            borderWidth: 2,
            borderDash: [6, 4],
            pointRadius: 0,
            order: 4,
          },
        ]
      : [];
    // A single period is a single point: draw points big enough to see.
    const radius = points.length > 60 ? 0 : points.length > 20 ? 2 : 4;
    const chart = new Chart(canvas.current, {
      type: "line",
      data: {
        labels: overlay?.labels ?? points.map((p) => p.label),
        datasets: [
          {
            label: "Total seats",
            data: points.map((p) => p.total),
            borderColor: TOTAL_COLOUR,
            backgroundColor: TOTAL_COLOUR,
            borderWidth: 3,
            stepped: "before",
            order: 2, // Chart.js draws lower orders on top: the marks over the lines
            pointRadius: Math.max(radius, points.length === 1 ? 5 : 0),
          },
          {
            label: "Assigned seats",
            data: points.map((p) => p.assigned),
            borderColor: ASSIGNED_COLOUR,
            backgroundColor: "rgba(14, 124, 58, 0.15)",
            borderWidth: 2,
            fill: "origin",
            order: 3,
            pointRadius: Math.max(radius, points.length === 1 ? 5 : 0),
          },
          {
            label: "Automatic top-up",
            data: marked.topUps,
            borderColor: TOP_UP_COLOUR,
            backgroundColor: TOP_UP_COLOUR,
            showLine: false,
            pointStyle: "triangle",
            pointRadius: 9,
            order: 0,
          },
          {
            label: "Licences added another way",
            data: marked.otherAdditions,
            borderColor: OTHER_COLOUR,
            backgroundColor: OTHER_COLOUR,
            showLine: false,
            pointStyle: "rectRot",
            pointRadius: 7,
            order: 1,
          },
          ...forecastSets,
        ],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { title: { display: true, text: AXIS_TITLES[granularity] }, ticks: { autoSkip: true, maxRotation: 0 } },
          y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "Seats" } },
        },
        plugins: {
          legend: { labels: { usePointStyle: true, filter: (item) => item.text !== BAND_LOW } },
          tooltip: {
            // the two series, and the forecast's expected seats and range after today
            filter: (item) => item.datasetIndex < 2 || item.datasetIndex > 4,
            callbacks: {
              title: (items) => inFull[items[0]?.dataIndex ?? 0] ?? "",
              afterBody: (items) => {
                const p = points[items[0]?.dataIndex ?? 0];
                if (!p || p.licencesAdded === 0) return "";
                const lines = [`${count(p.licencesAdded)} licence${p.licencesAdded === 1 ? "" : "s"} added`];
                if (p.topUps) lines.push(`${count(p.topUps)} automatic top-up${p.topUps === 1 ? "" : "s"}`);
                return lines;
              },
            },
          },
        },
      },
    });
    return () => chart.destroy();
  }, [points, granularity, overlay]);

  if (points.length === 0) {
    return (
      <Empty>
        No usage was recorded for this licence in this period. Licence Manager records usage from the first
        time its sync sees a licence; try a later period.
      </Empty>
    );
  }

  return (
    <>
      <figure className="chart">
        <div className="chart-box">
          <canvas
            ref={canvas}
            data-testid="usage-chart"
            role="img"
            aria-label={
              "Assigned and total seats over the period, with automatic top-ups and other additions marked on the total line" +
              (overlay ? ", and after today the forecast of assigned seats with its 80% range" : "")
            }
            aria-describedby={overlay ? "chart-forecast-words" : undefined}
          />
        </div>
        <figcaption>
          {data.firstRecorded && (
            <p className="muted" data-testid="chart-starts">
              Figures start on {fullDate(data.firstRecorded)}: nothing was recorded for this licence before then.
            </p>
          )}
          <details>
            <summary>Show the figures as a table</summary>
            <div className="table-wrap" {...scrollable("The figures as a table")}>
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
                      Automatic top-ups
                    </th>
                    <th scope="col" className="num">
                      Licences added
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {points.map((p) => (
                    <tr key={p.inFull}>
                      <th scope="row">{p.inFull}</th>
                      <td className="num">{count(p.assigned)}</td>
                      <td className="num">{count(p.total)}</td>
                      <td className="num">{percent(p.averageUtilisation)}</td>
                      <td className="num">{count(p.topUps)}</td>
                      <td className="num">{count(p.licencesAdded)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </figcaption>
      </figure>
      {overlay && report.forecast && (
        <ForecastAlternative overlay={overlay} seatsTotal={report.forecast.seatsTotal} />
      )}
    </>
  );
}

// The forecast drawn after today, in words and as a table, for those who cannot see the chart.
// It sits after the figure: the figures table there lists only what was recorded.
function ForecastAlternative({ overlay, seatsTotal }: { overlay: ForecastOverlay; seatsTotal: number }) {
  const end = overlay.ahead[overlay.ahead.length - 1];
  return (
    <div className="chart-forecast" data-testid="chart-forecast">
      <p className="muted" id="chart-forecast-words">
        After today the dashed line is the forecast of assigned seats and the shaded band its 80% range
        {end &&
          `: about ${count(Math.round(end.expected))} assigned by ${fullDate(end.to)} (between ${count(
            Math.floor(end.low),
          )} and ${count(Math.ceil(end.high))}), with ${count(seatsTotal)} seats paid for now`}
        .
      </p>
      {overlay.ahead.length > 0 && (
        <details>
          <summary>Show the forecast as a table</summary>
          <div className="table-wrap" {...scrollable("The forecast as a table")}>
            <table data-testid="forecast-table">
              <thead>
                <tr>
                  <th scope="col">Period</th>
                  <th scope="col" className="num">
                    Expected assigned
                  </th>
                  <th scope="col" className="num">
                    80% range
                  </th>
                </tr>
              </thead>
              <tbody>
                {overlay.ahead.map((p) => (
                  <tr key={p.inFull}>
                    <th scope="row">{p.inFull}</th>
                    <td className="num">{p.expected.toFixed(1)}</td>
                    <td className="num">
                      {p.low.toFixed(1)} to {p.high.toFixed(1)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      )}
    </div>
  );
}
