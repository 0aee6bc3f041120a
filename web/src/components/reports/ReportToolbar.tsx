import type { Licence } from "../../api";
import { PRESETS, type Granularity, type Preset, type Range } from "./periods";

type Props = {
  licences: Licence[];
  skuId: string;
  onSku: (skuId: string) => void;
  preset: Preset;
  onPreset: (preset: Preset) => void;
  custom: Range;
  onCustom: (range: Range) => void;
};

// What to report on: the SKU (the guide's dropdown), the period, and for Custom the dates.
export function ReportToolbar({ licences, skuId, onSku, preset, onPreset, custom, onCustom }: Props) {
  return (
    <>
      <div className="toolbar">
        <div className="field inline">
          <label htmlFor="report-sku">Licence</label>
          <select id="report-sku" value={skuId} onChange={(e) => onSku(e.target.value)}>
            {licences.map((l) => (
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
              title={p.explained}
              onClick={() => onPreset(p.key)}
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
              onChange={(e) => e.target.value && onCustom({ ...custom, from: e.target.value })}
            />
          </div>
          <div className="field inline">
            <label htmlFor="report-to">To</label>
            <input
              id="report-to"
              type="date"
              value={custom.to}
              min={custom.from}
              onChange={(e) => e.target.value && onCustom({ ...custom, to: e.target.value })}
            />
          </div>
          <div className="field inline">
            <label htmlFor="report-granularity">Show by</label>
            <select
              id="report-granularity"
              value={custom.granularity}
              onChange={(e) => onCustom({ ...custom, granularity: e.target.value as Granularity })}
            >
              <option value="day">Day</option>
              <option value="week">Week</option>
              <option value="month">Month</option>
            </select>
          </div>
        </div>
      )}
    </>
  );
}
