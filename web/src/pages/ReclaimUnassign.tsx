// Unassigning one reclaimable add-on seat from the Reclaim page: a confirmation stating the
// user, the licence and the money, one idempotency key per confirmation (sent again by any
// retry), then the request followed in the row until Google has removed the seat or refused.
import { useState } from "react";
import { call, type ApiError, type ReclaimHolder, type ReclaimSummary, type Unassign } from "../api";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { RequestProgress } from "../components/Progress";
import { plan } from "../format";
import { unassignMoneyWords } from "../reclaim";
import { newRequestId } from "../requestId";

export function UnassignAction({
  holder,
  summary,
  base,
  canChange,
  followed,
  follow,
}: {
  holder: ReclaimHolder;
  summary: ReclaimSummary | undefined;
  base: string;
  canChange: boolean;
  followed: Unassign | undefined;
  follow: (request: Unassign) => void;
}) {
  const [requestId, setRequestId] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const path = `${base}/reclaim/unassign`;

  if (followed) {
    return (
      <RequestProgress<Unassign>
        path={`${path}/${encodeURIComponent(followed.id)}`}
        initial={followed}
        working="Asking Google Workspace to remove the licence…"
        doneText={() => "Unassigned: the licence is free."}
      />
    );
  }

  async function confirm() {
    if (!requestId) return;
    setBusy(true);
    try {
      const asked = await call<Unassign>(path, {
        method: "POST",
        body: { skuId: holder.skuId, email: holder.email, userId: holder.userId, requestId },
      });
      setRequestId(null);
      setError(null);
      follow(asked);
    } catch (e) {
      const problem = e as ApiError;
      setError(problem.errors?.email ?? problem.errors?.requestId ?? problem.message);
      // A refusal (4xx) is final for this confirmation; a network failure keeps the key, so
      // confirming again retries the same request instead of asking twice.
      if (problem.status >= 400 && problem.status < 500) setRequestId(null);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <button
        type="button"
        className="button secondary"
        disabled={!canChange}
        title={canChange ? undefined : "Only the customer's admin can unassign seats."}
        onClick={() => {
          setError(null);
          setRequestId((kept) => kept ?? newRequestId());
        }}
      >
        Unassign
      </button>
      {error && (
        <p className="field-error small" role="alert">
          {error}
        </p>
      )}
      {requestId && (
        <ConfirmDialog
          title="Unassign this licence?"
          confirmLabel="Unassign licence"
          busyLabel="Unassigning…"
          busy={busy}
          onConfirm={() => void confirm()}
          onCancel={() => setRequestId(null)}
        >
          <p>
            Remove <strong>{holder.skuName}</strong> from <strong>{holder.email}</strong>
            {summary ? ` (${plan(summary.planName)} plan)` : ""}.
          </p>
          <p data-testid="unassign-money">{unassignMoneyWords(summary, holder)}</p>
          <p className="muted">
            Their account and data are kept; the licence can be assigned again later. Google is asked once, and the
            change is recorded in the log.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}
