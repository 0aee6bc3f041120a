// The customer's account settings: the time zone their reports, logs and month-end follow, and
// in which every time in the dashboard is shown, and the anomaly guard's thresholds. Customer
// admins and reseller ops change them.
import { useQueryClient } from "@tanstack/react-query";
import { useMemo, useState, type FormEvent } from "react";
import { call, type ApiError, type TimeZoneSetting } from "../api";
import { ErrorState, FieldError, Loading, PageHeader, useApi } from "../components/common";
import { AnomalyPolicyForm } from "../components/AnomalyPolicyForm";
import { timeZonePath } from "../components/Clock";
import { useSession } from "../context";
import { whenIn } from "../format";
import { matchingZones } from "./timeZones";

export function Account() {
  const { customerId, canChange } = useSession();
  const path = timeZonePath(customerId);
  const setting = useApi<TimeZoneSetting>(path);
  const queryClient = useQueryClient();
  const [chosen, setChosen] = useState<string | null>(null);
  const [search, setSearch] = useState("");
  const [error, setError] = useState<string | undefined>(undefined);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [now] = useState(() => new Date());

  const current = setting.data?.timeZone ?? "";
  const selected = chosen ?? current;
  const options = useMemo(() => matchingZones(search, selected), [search, selected]);

  if (setting.error) {
    return (
      <>
        <PageHeader title="Account" />
        <ErrorState error={setting.error} retry={setting.reload} />
      </>
    );
  }
  if (!setting.data) {
    return (
      <>
        <PageHeader title="Account" />
        <Loading what="account settings" />
      </>
    );
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setMessage(null);
    try {
      const saved = await call<TimeZoneSetting>(path, { method: "PUT", body: { timeZone: selected } });
      // The shell reads the same query: every page now shows times on the new clock.
      queryClient.setQueryData(["api", path], saved);
      // Reports' days and the log (which now has this change) are fetched again, on the new clock.
      void queryClient.invalidateQueries({ predicate: (query) => query.queryKey[1] !== path });
      setChosen(null);
      setMessage(`Changes saved. Times, reports and month-end now follow ${saved.timeZone}.`);
    } catch (e) {
      const failure = e as ApiError;
      setError(failure.errors.timeZone ?? failure.message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <PageHeader title="Account">
        <p className="muted">Settings for the whole customer account.</p>
      </PageHeader>
      {!canChange && (
        <p className="notice">You can see the account settings; only the customer's admin can change them.</p>
      )}
      <form className="settings" onSubmit={save} noValidate>
        <fieldset disabled={!canChange || busy}>
          <section className="panel" aria-labelledby="zone-heading">
            <h2 id="zone-heading">Time zone</h2>
            <p className="hint" id="zone-hint">
              Days and months in reports, the month-end report, "today" and every time shown in the dashboard follow
              this time zone. Days already counted keep the zone they were counted in.
            </p>
            <div className="field">
              <label htmlFor="zone-search">Find a time zone</label>
              <input
                id="zone-search"
                type="search"
                autoComplete="off"
                placeholder="London, New York, Tokyo…"
                value={search}
                onChange={(e) => setSearch(e.target.value)}
              />
            </div>
            <div className="field">
              <label htmlFor="field-timeZone">Time zone</label>
              <select
                id="field-timeZone"
                value={selected}
                aria-invalid={error ? true : undefined}
                aria-describedby={["zone-hint", "zone-preview", error && "field-timeZone-error"].filter(Boolean).join(" ")}
                onChange={(e) => {
                  setChosen(e.target.value);
                  setMessage(null);
                  setError(undefined);
                }}
              >
                {options.map((zone) => (
                  <option key={zone} value={zone}>
                    {zone.replaceAll("_", " ")}
                  </option>
                ))}
              </select>
              <FieldError id="field-timeZone-error" message={error} />
              <p className="hint" id="zone-preview">
                The time there when this page opened: {whenIn(now, selected)}.
              </p>
            </div>
          </section>
        </fieldset>
        {message && (
          <p className="success" role="status">
            {message}
          </p>
        )}
        <div className="form-actions">
          <button type="submit" className="button primary" disabled={!canChange || busy || selected === current}>
            {busy ? "Saving…" : "Save Changes"}
          </button>
        </div>
      </form>
      <AnomalyPolicyForm customerId={customerId} canChange={canChange} />
    </>
  );
}
