import { useState, type FormEvent, type ReactNode } from "react";
import { ApiError, call, type Licence, type Preferences, type Recipient, type Settings, type WorstCaseMonthly } from "../api";
import { ErrorState, FieldError, Loading, PageHeader, useApi } from "../components/common";
import { useCustomerPath, useSession } from "../context";
import { seats } from "../format";
import { estimate } from "../prices";
import { Link } from "../router";
import {
  ALERT_FIELDS,
  TOP_UP_FIELDS,
  failsIn,
  holdRecommendation,
  numberOrText,
  receiving,
  unplacedErrors,
} from "./settingsForm";
import { LeaveGuard } from "../components/LeaveGuard";
import { TopUpsPausedBanner } from "../components/TopUpsPaused";
import { conflictText, theirSettings, withVersion } from "./settingsVersion";

// The form keeps numbers as text while they are typed; "" is "not set".
type Form = {
  lowLicenceAlert: boolean;
  alertVacantAtOrBelow: string;
  alertUtilisationPercent: string;
  autoTopUp: boolean;
  topUpWhenVacantBelow: string;
  topUpMode: "restore" | "fixed_step";
  topUpTargetVacant: string;
  topUpStep: string;
  maxTotalSeats: string;
  maxSeatsPerMonth: string;
  holdTopUpsWhenReclaimable: string;
};

function toForm(s: Settings): Form {
  const text = (n: number | null) => (n === null ? "" : String(n));
  return {
    lowLicenceAlert: s.lowLicenceAlert,
    alertVacantAtOrBelow: text(s.alertVacantAtOrBelow),
    alertUtilisationPercent:
      s.alertUtilisationAtOrAbove === null ? "" : String(Math.round(s.alertUtilisationAtOrAbove * 100)),
    autoTopUp: s.autoTopUp,
    topUpWhenVacantBelow: String(s.topUpWhenVacantBelow),
    topUpMode: s.topUpMode,
    topUpTargetVacant: String(s.topUpTargetVacant),
    topUpStep: String(s.topUpStep),
    maxTotalSeats: text(s.maxTotalSeats),
    maxSeatsPerMonth: text(s.maxSeatsPerMonth),
    holdTopUpsWhenReclaimable: text(s.holdTopUpsWhenReclaimable),
  };
}

function toBody(f: Form): Record<string, unknown> {
  const percent = numberOrText(f.alertUtilisationPercent);
  return {
    lowLicenceAlert: f.lowLicenceAlert,
    alertVacantAtOrBelow: numberOrText(f.alertVacantAtOrBelow),
    alertUtilisationAtOrAbove: typeof percent === "number" ? percent / 100 : percent,
    autoTopUp: f.autoTopUp,
    topUpWhenVacantBelow: numberOrText(f.topUpWhenVacantBelow) ?? 1,
    topUpMode: f.topUpMode,
    topUpTargetVacant: numberOrText(f.topUpTargetVacant) ?? 1,
    topUpStep: numberOrText(f.topUpStep) ?? 1,
    maxTotalSeats: numberOrText(f.maxTotalSeats),
    maxSeatsPerMonth: numberOrText(f.maxSeatsPerMonth),
    holdTopUpsWhenReclaimable: numberOrText(f.holdTopUpsWhenReclaimable),
  };
}

// Who the emails a section turns on go to (the Notifications page's recipients), with the way
// to change them: a setting that emails nobody should say so.
function WhoReceives({ recipients, kinds, what }: { recipients: Recipient[] | undefined; kinds: (keyof Preferences)[]; what: string }) {
  if (!recipients) return null;
  const names = receiving(recipients, kinds);
  return (
    <p className="who-receives hint">
      {names.length
        ? `${what} go to ${names.join(", ")}. `
        : `Nobody receives ${what.toLowerCase()} yet. `}
      <Link href="/notifications">Change who receives them</Link>
    </p>
  );
}

// What the settings will do, in words (the server says the same, licence_manager.domain.settings
// describe(); it is shown live here before saving).
export function describe(f: Form): string {
  const parts: string[] = [];
  if (f.lowLicenceAlert) {
    const conditions: string[] = [];
    if (f.alertVacantAtOrBelow.trim()) conditions.push(`vacant seats fall to ${f.alertVacantAtOrBelow.trim()} or below`);
    if (f.alertUtilisationPercent.trim()) conditions.push(`utilisation reaches ${f.alertUtilisationPercent.trim()}%`);
    if (conditions.length) parts.push(`Email an alert when ${conditions.join(" or ")}.`);
  }
  if (f.autoTopUp) {
    const step = f.topUpStep.trim() || "1";
    const action =
      f.topUpMode === "restore"
        ? `add seats to get back to ${f.topUpTargetVacant.trim() || "1"} vacant`
        : `add ${step} seat${step === "1" ? "" : "s"}`;
    const limits: string[] = [];
    if (f.maxTotalSeats.trim()) limits.push(`never above ${f.maxTotalSeats.trim()} seats in all`);
    if (f.maxSeatsPerMonth.trim()) limits.push(`at most ${f.maxSeatsPerMonth.trim()} a month`);
    parts.push(
      `When vacant seats fall below ${f.topUpWhenVacantBelow.trim() || "1"}, ${action}` +
        (limits.length ? `, ${limits.join(", ")}` : "") +
        ".",
    );
    const hold = f.holdTopUpsWhenReclaimable.trim();
    if (hold) parts.push(`Do not top up automatically while ${hold} seat${hold === "1" ? "" : "s"} or more can be reclaimed.`);
  }
  return parts.join(" ") || "No alerts or automatic top-ups.";
}

// What automatic top-ups could cost at worst in a month, as the server works it out for the
// saved settings (licence_manager.domain.worst_case): not guessed here for unsaved changes.
export function worstCaseText(worst: WorstCaseMonthly): string {
  if (worst.seats === null) {
    return "No maximum is set, so nothing limits what automatic top-ups could add. Set a maximum total or a monthly maximum.";
  }
  if (worst.seats === 0) {
    return "At worst, automatic top-ups add no seats in a month: the maximum total (or the plan) allows no more.";
  }
  const cost =
    worst.estimatedCostMinor === null
      ? "No price set for this licence and plan: ask your account manager what it would cost"
      : `an ${estimate(worst.estimatedCostMinor, worst.currency, true)}`;
  return `At worst, automatic top-ups could add ${seats(worst.seats)} in a calendar month: ${cost}.`;
}

const FIELD_FOR_ERROR: Record<string, string> = {
  alertUtilisationAtOrAbove: "alertUtilisationPercent",
};

export function SettingsPage({ skuId }: { skuId: string }) {
  const base = useCustomerPath();
  const { canChange } = useSession();
  const path = `${base}/licences/${encodeURIComponent(skuId)}/settings`;
  const saved = useApi<Settings>(path);
  const licences = useApi<Licence[]>(`${base}/licences`);
  const recipients = useApi<Recipient[]>(`${base}/recipients`);
  const licence = licences.data?.find((l) => l.skuId === skuId);
  const [form, setForm] = useState<Form | null>(null);
  const [lastSaved, setLastSaved] = useState<Settings | null>(null); // the server's last answer
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ tone: "ok" | "error"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  // Settings someone else saved after this page loaded them (a 409): the admin chooses.
  const [conflict, setConflict] = useState<Settings | null>(null);

  // The form starts from what the server has (React's "adjust state when a prop changes").
  const [loadedFrom, setLoadedFrom] = useState<Settings | undefined>(undefined);
  if (saved.data !== loadedFrom) {
    setLoadedFrom(saved.data);
    if (saved.data) {
      setForm(toForm(saved.data));
      setLastSaved(saved.data);
    }
  }

  // Unsaved: the form differs from the settings last loaded or saved (the worst case shown
  // waits for a save, and leaving the page asks first).
  const dirty =
    form !== null && lastSaved !== null && JSON.stringify(toBody(form)) !== JSON.stringify(toBody(toForm(lastSaved)));
  const title = licence ? `Settings: ${licence.skuName}` : "Settings";
  if (saved.error) {
    return (
      <>
        <PageHeader title="Settings" />
        <ErrorState error={saved.error} retry={saved.reload} />
      </>
    );
  }
  if (!form) {
    return (
      <>
        <PageHeader title={title} />
        <Loading what="settings" />
      </>
    );
  }
  const f = form;
  // The server's rule (licence_manager.domain.settings), shown as a hint; the server checks it.
  const topUpLimit = licence ? Math.min(1000, Math.max(licence.total, 1)) : undefined;
  const perTopUp =
    topUpLimit === undefined
      ? undefined
      : `At most ${topUpLimit}: one top-up never more than doubles the licence, and adds at most 1,000.`;
  // The worst case shown is the saved settings': after any change it waits for the save.
  const unchanged = lastSaved !== null && !dirty;

  // A field the server rejected is shown even when its switch is off (its value is saved all
  // the same), so an error never hides behind a closed section.
  const showAlerts = f.lowLicenceAlert || failsIn(errors, ALERT_FIELDS);
  const showTopUps = f.autoTopUp || failsIn(errors, TOP_UP_FIELDS);
  const offButFailing = (on: boolean, fields: string[]) =>
    !on && failsIn(errors, fields) ? (
      <p className="notice" role="note">
        This section is switched off, but its values are still saved: correct or clear the field marked below.
      </p>
    ) : null;
  const elsewhere = unplacedErrors(errors);

  function set<K extends keyof Form>(key: K, value: Form[K]) {
    setForm({ ...f, [key]: value });
    setMessage(null);
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    setMessage(null);
    try {
      // Sent with the version the form was loaded from: a save over someone else's is refused.
      const result = await call<Settings>(path, { method: "PUT", body: withVersion(toBody(f), lastSaved) });
      setForm(toForm(result));
      setLastSaved(result);
      setConflict(null);
      setMessage({ tone: "ok", text: `Changes saved. ${result.description}` });
    } catch (e) {
      const failure = e as ApiError;
      const theirs = theirSettings(failure.problem);
      if (theirs) {
        setConflict(theirs);
        return;
      }
      const mapped: Record<string, string> = {};
      for (const [field, text] of Object.entries(failure.errors)) {
        mapped[FIELD_FOR_ERROR[field] ?? field] = text;
      }
      setErrors(mapped);
      setMessage({ tone: "error", text: failure.message });
    } finally {
      setBusy(false);
    }
  }

  const numberField = (
    key: keyof Form,
    label: ReactNode,
    hint?: string,
  ) => {
    const id = `field-${key}`;
    const error = errors[key as string];
    return (
      <div className="field">
        <label htmlFor={id}>{label}</label>
        {hint && (
          <p className="hint" id={`${id}-hint`}>
            {hint}
          </p>
        )}
        {/* Text, not type=number: a browser turns what is not a number into "", which would
            save a cap as "not set"; the server says what is wrong with it instead. */}
        <input
          id={id}
          type="text"
          inputMode={key === "alertUtilisationPercent" ? "decimal" : "numeric"}
          autoComplete="off"
          value={f[key] as string}
          aria-invalid={error ? true : undefined}
          aria-describedby={[hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(" ") || undefined}
          onChange={(e) => set(key, e.target.value as never)}
        />
        <FieldError id={`${id}-error`} message={error} />
      </div>
    );
  };

  function loadTheirs(theirs: Settings) {
    setForm(toForm(theirs));
    setLastSaved(theirs);
    setConflict(null);
    setMessage({ tone: "ok", text: `Their settings are loaded: ${theirs.description} Make your changes again if they are still needed.` });
  }

  function keepMine(theirs: Settings) {
    setLastSaved(theirs); // saving now replaces their version, knowingly
    setConflict(null);
    setMessage({ tone: "error", text: "Your changes are still here, not saved: Save Changes replaces the settings they saved." });
  }

  return (
    <>
      <LeaveGuard dirty={dirty} what="settings changes" />
      <PageHeader title={title}>
        <p className="muted">
          {licence
            ? `${licence.assigned} of ${licence.total} seats assigned, ${licence.vacant} vacant.`
            : ""}
        </p>
      </PageHeader>
      {!canChange && (
        <p className="notice">You can see these settings; only the customer's admin can change them.</p>
      )}
      {licence && <TopUpsPausedBanner base={base} licence={licence} canChange={canChange} onResumed={licences.reload} />}
      <form className="settings" onSubmit={save} noValidate>
        <fieldset disabled={!canChange || busy}>
          <section className="panel" aria-labelledby="alerts-heading">
            <h2 id="alerts-heading">Notifications</h2>
            <div className="check">
              <input
                id="field-lowLicenceAlert"
                type="checkbox"
                checked={f.lowLicenceAlert}
                aria-describedby={errors.lowLicenceAlert ? "field-lowLicenceAlert-error" : undefined}
                onChange={(e) => set("lowLicenceAlert", e.target.checked)}
              />
              <label htmlFor="field-lowLicenceAlert">Email an alert when licences run low</label>
            </div>
            <FieldError id="field-lowLicenceAlert-error" message={errors.lowLicenceAlert} />
            <WhoReceives recipients={recipients.data} kinds={["lowLicences"]} what="Low-licence alerts" />
            {offButFailing(f.lowLicenceAlert, ALERT_FIELDS)}
            {showAlerts && (
              <div className="indent">
                {numberField("alertVacantAtOrBelow", "Alert when vacant seats fall to", "Leave empty to alert on utilisation only.")}
                {numberField("alertUtilisationPercent", "Or when utilisation reaches (%)", "Optional, 1 to 100.")}
              </div>
            )}
          </section>

          <section className="panel" aria-labelledby="topup-heading">
            <h2 id="topup-heading">Automatic top-ups</h2>
            <div className="check">
              <input
                id="field-autoTopUp"
                type="checkbox"
                checked={f.autoTopUp}
                onChange={(e) => set("autoTopUp", e.target.checked)}
              />
              <label htmlFor="field-autoTopUp">Add licences automatically when vacant seats run low</label>
            </div>
            <WhoReceives
              recipients={recipients.data}
              kinds={["topUpApplied", "topUpFailed"]}
              what="Top-up confirmations and failures"
            />
            {offButFailing(f.autoTopUp, TOP_UP_FIELDS)}
            {showTopUps && (
              <div className="indent">
                {numberField("topUpWhenVacantBelow", "Top up when vacant seats fall below", undefined)}
                <fieldset className="radios">
                  <legend>How many seats to add</legend>
                  <div className="check">
                    <input
                      id="mode-restore"
                      type="radio"
                      name="topUpMode"
                      checked={f.topUpMode === "restore"}
                      onChange={() => set("topUpMode", "restore")}
                    />
                    <label htmlFor="mode-restore">Enough to get back to a number of vacant seats</label>
                  </div>
                  <div className="check">
                    <input
                      id="mode-step"
                      type="radio"
                      name="topUpMode"
                      checked={f.topUpMode === "fixed_step"}
                      onChange={() => set("topUpMode", "fixed_step")}
                    />
                    <label htmlFor="mode-step">The same number each time</label>
                  </div>
                </fieldset>
                {(f.topUpMode === "restore" || errors.topUpTargetVacant) &&
                  numberField("topUpTargetVacant", "Get back to this many vacant seats", perTopUp)}
                {(f.topUpMode === "fixed_step" || errors.topUpStep) &&
                  numberField("topUpStep", "Seats to add each time", perTopUp)}
                {numberField("maxTotalSeats", "Never more than this many seats in total", "Binds automatic top-ups; seats added by hand are not limited by it. Set this, the monthly maximum, or both.")}
                {numberField("maxSeatsPerMonth", "At most this many seats added a month", "Counts automatic top-ups only. Set this, the maximum total, or both.")}
                {numberField(
                  "holdTopUpsWhenReclaimable",
                  "Do not top up automatically while N or more seats are reclaimable",
                  "N: the number entered here. Leave empty for off. While it holds, an alert says why instead of buying; adding seats by hand is not held.",
                )}
                {holdRecommendation(licence?.planName) && (
                  <p className="hint" id="hold-recommendation">
                    {holdRecommendation(licence?.planName)}
                  </p>
                )}
              </div>
            )}
          </section>

          <section className="panel explain">
            <h2>What will happen</h2>
            <p id="settings-description">{describe(f)}</p>
            {f.autoTopUp && (
              <p id="worst-case">
                {lastSaved?.worstCaseMonthly && unchanged
                  ? worstCaseText(lastSaved.worstCaseMonthly)
                  : "Save the changes to see what automatic top-ups could cost at worst in a month."}
              </p>
            )}
            {licence && licence.planName.startsWith("ANNUAL") && f.autoTopUp && (
              <p className="muted">{licence.price.planExplanation}</p>
            )}
          </section>
        </fieldset>

        {conflict && (
          <div className="notice conflict" role="alert">
            <p>{conflictText(conflict)}</p>
            <p>Their settings: {conflict.description}</p>
            <div className="form-actions">
              <button type="button" className="button primary" onClick={() => loadTheirs(conflict)}>
                Load their changes
              </button>
              <button type="button" className="button secondary" onClick={() => keepMine(conflict)}>
                Keep mine to save over theirs
              </button>
            </div>
          </div>
        )}
        {message && (
          <p className={message.tone === "ok" ? "success" : "field-error"} role={message.tone === "ok" ? "status" : "alert"}>
            {message.text}
            {message.tone === "error" && elsewhere.length > 0 && ` ${elsewhere.join(" ")}`}
          </p>
        )}
        <div className="form-actions">
          <button type="submit" className="button primary" disabled={!canChange || busy}>
            {busy ? "Saving…" : "Save Changes"}
          </button>
          <Link href="/" className="button secondary">
            Back to My Licences
          </Link>
        </div>
      </form>
    </>
  );
}
