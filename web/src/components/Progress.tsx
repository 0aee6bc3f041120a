import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { call, type SeatRequest } from "../api";

const STEPS: Record<SeatRequest["status"], string> = {
  PENDING: "Requested: waiting for its turn",
  CLAIMED: "Asking Google Workspace for the seats…",
  APPLIED: "Done",
  FAILED: "Not done",
  SUPERSEDED: "Not needed",
  AWAITING_APPROVAL: "Waiting for the reseller's approval",
};

// How long to follow a request that is being carried out before saying so and stopping: apply
// attempts hold a request for at most a few minutes (the lease), so three minutes without an
// answer means something is stuck, not slow.
export const GIVE_UP_AFTER_MS = 3 * 60_000;

// The wait before the next check: 1 s, growing to 5 s, so a quick change shows at once and a
// slow one does not cost a request a second. Approval can take days: every 15 s.
export function nextCheckIn(checksSoFar: number, waitingForApproval: boolean): number {
  if (waitingForApproval) return 15_000;
  return Math.min(1_000 * 1.5 ** checksSoFar, 5_000);
}

// What the progress needs of a request: a seat request, or a renewal change.
type Followed = { status: SeatRequest["status"]; message: string };

// Follows a request until Google has really made the change (or refused it), and gives up
// with a clear message (and a way to check again) after a bounded time. `working`: what the
// request is asking Google for while it is being carried out (seats, by default).
export function RequestProgress<R extends Followed = SeatRequest>({
  path,
  initial,
  onFinished,
  doneText,
  working = STEPS.CLAIMED,
  giveUpAfterMs = GIVE_UP_AFTER_MS,
}: {
  path: string;
  initial: R;
  onFinished?: (request: R) => void;
  doneText: (request: R) => string;
  working?: string;
  giveUpAfterMs?: number;
}) {
  const [request, setRequest] = useState(initial);
  const [trouble, setTrouble] = useState<string | null>(null);
  const [checks, setChecks] = useState(0);
  const [since, setSince] = useState(() => Date.now());
  const [gaveUp, setGaveUp] = useState(false);
  const final = ["APPLIED", "FAILED", "SUPERSEDED"].includes(request.status);
  const waiting = request.status === "AWAITING_APPROVAL";
  const queries = useQueryClient();
  const finished = useRef(onFinished);
  useEffect(() => {
    finished.current = onFinished;
  });

  useEffect(() => {
    if (final) {
      // Seats, the catalogue and the log all changed: nothing cached from before is current.
      void queries.invalidateQueries();
      finished.current?.(request);
      return;
    }
    if (gaveUp) return;
    const timer = window.setTimeout(async () => {
      if (!waiting && Date.now() - since > giveUpAfterMs) {
        setGaveUp(true);
        return;
      }
      try {
        setRequest(await call<R>(path));
        setTrouble(null);
      } catch (e) {
        setTrouble((e as Error).message);
      }
      setChecks((n) => n + 1);
    }, nextCheckIn(checks, waiting));
    return () => window.clearTimeout(timer);
  }, [request, checks, final, gaveUp, waiting, since, giveUpAfterMs, path, queries]);

  function checkAgain() {
    setSince(Date.now());
    setChecks(0);
    setGaveUp(false);
  }

  if (gaveUp) {
    return (
      <div className="progress progress-stalled" role="alert">
        <p>
          <strong>No answer yet.</strong> This request has not finished after{" "}
          {Math.round(giveUpAfterMs / 60_000)} minutes. It is still recorded and will be carried
          out or refused on its own; nothing will be bought twice. The audit log shows its outcome.
        </p>
        {trouble && <p className="muted">Last problem: {trouble}</p>}
        <button type="button" className="button secondary" onClick={checkAgain}>
          Check again
        </button>
      </div>
    );
  }

  return (
    <div className={`progress progress-${request.status.toLowerCase()}`} role="status" aria-live="polite">
      {!final && <span className="spinner" aria-hidden="true" />}
      <p>
        <strong>
          {request.status === "APPLIED"
            ? doneText(request)
            : request.status === "CLAIMED"
              ? working
              : STEPS[request.status]}
        </strong>
      </p>
      {request.status !== "APPLIED" && final && request.message && <p>{request.message}</p>}
      {waiting && (
        <p>
          {request.message} Nothing is bought unless reseller operations approve it within 7 days;
          you will get an email either way.
        </p>
      )}
      {trouble && <p className="muted">Still checking… ({trouble})</p>}
    </div>
  );
}
