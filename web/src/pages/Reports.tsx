import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { type ApiError, call, type Licence, type Report, type ReportForecast } from "../api";
import { Empty, ErrorState, Loading, PageHeader, useApi } from "../components/common";
import { AdditionsInRange } from "../components/reports/AdditionsInRange";
import { DownloadButton } from "../components/reports/DownloadButton";
import { HeadlineCards } from "../components/reports/HeadlineCards";
import { MonthEndReport } from "../components/reports/MonthEndReport";
import { describeRange, type Preset, type Range, rangeOf } from "../components/reports/periods";
import { ReportToolbar } from "../components/reports/ReportToolbar";
import { UsageChart } from "../components/reports/UsageChart";
import { useCustomerPath } from "../context";
import { forecastLine } from "../outlook";
import { timeZone, todayIn } from "../format";
import { navigate, useLocation } from "../router";

// The Reports page: one SKU's figures over a period (cards, chart, additions), then the
// month-end additions report for all of the customer's licences.
export function Reports() {
  const base = useCustomerPath();
  const { query } = useLocation();
  const licences = useApi<Licence[]>(`${base}/licences`);
  const skuId = query.get("sku") ?? licences.data?.[0]?.skuId ?? "";
  const [preset, setPreset] = useState<Preset>("day");
  // Today in the customer's zone (format.ts follows it), so "the last 30 days" is theirs.
  const [custom, setCustom] = useState<Range>(() => rangeOf("day", todayIn()));
  const range = preset === "custom" ? custom : rangeOf(preset, todayIn());
  const search = `from=${range.from}&to=${range.to}&granularity=${range.granularity}`;
  const sku = encodeURIComponent(skuId);
  const reportPath = skuId ? `${base}/licences/${sku}/report?${search}` : null;
  // Same cache key as useApi; a new SKU or period keeps the last figures on screen, dimmed,
  // until the new ones arrive, instead of blanking the page.
  const report = useQuery<Report, ApiError>({
    queryKey: ["api", reportPath],
    queryFn: ({ signal }) => call<Report>(reportPath as string, { signal }),
    enabled: reportPath !== null,
    placeholderData: keepPreviousData,
  });
  const licence = licences.data?.find((l) => l.skuId === skuId);
  const updating = report.isPlaceholderData;

  return (
    <>
      <PageHeader title="Reports" />
      {licences.error && <ErrorState error={licences.error} retry={licences.reload} />}
      {!licences.data && !licences.error && <Loading what="your licences" />}
      {licences.data && licences.data.length === 0 && <Empty>No licences to report on yet.</Empty>}
      {licences.data && licences.data.length > 0 && (
        <>
          <ReportToolbar
            licences={licences.data}
            skuId={skuId}
            onSku={(id) => navigate(`/reports?sku=${encodeURIComponent(id)}`, true)}
            preset={preset}
            onPreset={setPreset}
            custom={custom}
            onCustom={setCustom}
          />
          <div className="report-subtitle">
            <p className="muted" data-testid="report-range">
              {licence?.skuName}: {describeRange(range)} ({report.data?.timeZone ?? timeZone()} time).
              {updating && <span className="updating"> Updating…</span>}
            </p>
            {skuId && (
              <DownloadButton
                path={`${base}/licences/${sku}/report.csv?${search}`}
                filename={`licence-report-${skuId}-${range.from}-to-${range.to}.csv`}
                label="Download CSV of this report"
              />
            )}
          </div>
          {report.error && !report.data && (
            <ErrorState error={report.error} retry={() => void report.refetch()} />
          )}
          {report.isPending && reportPath && <Loading what="the report" />}
          {report.data && (
            <div className={updating ? "report-body stale" : "report-body"} aria-busy={updating}>
              <HeadlineCards report={report.data} />
              <ForecastSentence forecast={report.data.forecast} />
              <UsageChart report={report.data} granularity={report.data.granularity ?? range.granularity} />
              <AdditionsInRange report={report.data} />
            </div>
          )}
          <MonthEndReport base={base} />
        </>
      )}
    </>
  );
}

// The run-out forecast in one sentence above the chart; muted while there is too little history.
function ForecastSentence({ forecast }: { forecast: ReportForecast | null | undefined }) {
  const line = forecastLine(forecast);
  if (!line) return null;
  return (
    <p className={line.muted ? "report-forecast muted" : "report-forecast"} data-testid="report-forecast">
      {line.text}
    </p>
  );
}
