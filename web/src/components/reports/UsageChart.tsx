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
import { chartData, marks } from "./chartData";
import type { Granularity } from "./periods";

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Tooltip, Legend, Filler);

export const TOTAL_COLOUR = "#1a56db";
export const ASSIGNED_COLOUR = "#0e7c3a";
const TOP_UP_COLOUR = "#b45309";
const OTHER_COLOUR = "#7c3aed";

const AXIS_TITLES: Record<Granularity, string> = { day: "Day", week: "Week commencing", month: "Month" };

// Assigned and total seats over the range, with the additions marked on the total line, and
// the same figures as a table for those who cannot see the chart.
export function UsageChart({ report, granularity }: { report: Report; granularity: Granularity }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const data = useMemo(() => chartData(report.series, granularity), [report.series, granularity]);
  const { points } = data;

  useEffect(() => {
    if (!canvas.current || points.length === 0) return;
    const marked = marks(points);
    // A single period is a single point: draw points big enough to see.
    const radius = points.length > 60 ? 0 : points.length > 20 ? 2 : 4;
    const chart = new Chart(canvas.current, {
      type: "line",
      data: {
        labels: points.map((p) => p.label),
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
          legend: { labels: { usePointStyle: true } },
          tooltip: {
            filter: (item) => item.datasetIndex < 2,
            callbacks: {
              title: (items) => points[items[0]?.dataIndex ?? 0]?.inFull ?? "",
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
  }, [points, granularity]);

  if (points.length === 0) {
    return (
      <Empty>
        No usage was recorded for this licence in this period. Licence Manager records usage from the first
        time its sync sees a licence; try a later period.
      </Empty>
    );
  }

  return (
    <figure className="chart">
      <div className="chart-box">
        <canvas
          ref={canvas}
          data-testid="usage-chart"
          role="img"
          aria-label="Assigned and total seats over the period, with automatic top-ups and other additions marked on the total line"
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
  );
}
