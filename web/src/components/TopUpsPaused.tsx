import { useState } from "react";
import { ApiError, call, type Licence } from "../api";
import { ConfirmDialog } from "./ConfirmDialog";

// The anomaly guard paused a licence's automatic top-ups (a sudden rise in assignments): the
// banner says why, and an admin resumes them after a confirmation. Saving the settings does
// not resume them; only this does (or the reseller's ops command).
export function TopUpsPausedBanner({
  base,
  licence,
  canChange,
  onResumed,
}: {
  base: string;
  licence: Licence;
  canChange: boolean;
  onResumed: () => void;
}) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const paused = licence.topUpsPaused;
  if (!paused) return null;

  async function resume() {
    setBusy(true);
    setError(null);
    try {
      await call(`${base}/licences/${encodeURIComponent(licence.skuId)}/resume-top-ups`, { method: "POST" });
      setAsking(false);
      onResumed();
    } catch (failure) {
      // 409: someone resumed them meanwhile; the reload shows it.
      if (failure instanceof ApiError && failure.status === 409) {
        setAsking(false);
        onResumed();
      } else {
        setError(failure instanceof Error ? failure.message : "The top-ups were not resumed.");
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="notice notice-warn" role="alert" data-testid="top-ups-paused">
      <p>
        <strong>{licence.skuName}:</strong> {paused.words}
      </p>
      {canChange ? (
        <button type="button" className="button secondary" onClick={() => setAsking(true)}>
          Resume automatic top-ups
        </button>
      ) : (
        <p className="muted">Only the customer's admin or the reseller can resume them.</p>
      )}
      {error && <p className="field-error">{error}</p>}
      {asking && (
        <ConfirmDialog
          title="Resume automatic top-ups?"
          confirmLabel="Resume"
          busyLabel="Resuming…"
          busy={busy}
          onConfirm={() => void resume()}
          onCancel={() => setAsking(false)}
        >
          <p>
            Assigned users of {licence.skuName} rose by {paused.rise} ({paused.assignedFrom} →{" "}
            {paused.assignedTo}) within an hour. Resume only once you know these users are genuine:
            seats will again be bought automatically as your settings say.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}
