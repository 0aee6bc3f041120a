import { useEffect, useState } from "react";
import { call, type SeatRequest } from "../api";

const STEPS: Record<SeatRequest["status"], string> = {
  PENDING: "Requested: waiting for its turn",
  CLAIMED: "Asking Google Workspace for the seats…",
  APPLIED: "Done",
  FAILED: "Not done",
  SUPERSEDED: "Not needed",
  AWAITING_APPROVAL: "Waiting for the reseller's approval",
};

// Follows a seat request until Google has really made the change (or refused it).
export function RequestProgress({
  path,
  initial,
  onFinished,
  doneText,
}: {
  path: string;
  initial: SeatRequest;
  onFinished?: (request: SeatRequest) => void;
  doneText: (request: SeatRequest) => string;
}) {
  const [request, setRequest] = useState(initial);
  const [trouble, setTrouble] = useState<string | null>(null);
  const final = ["APPLIED", "FAILED", "SUPERSEDED"].includes(request.status);
  // Approval can take days: check now and then rather than every second.
  const waiting = request.status === "AWAITING_APPROVAL";

  useEffect(() => {
    if (final) {
      onFinished?.(request);
      return;
    }
    const timer = window.setTimeout(async () => {
      try {
        setRequest(await call<SeatRequest>(path));
        setTrouble(null);
      } catch (e) {
        setTrouble((e as Error).message);
        setRequest({ ...request }); // try again on the next tick
      }
    }, waiting ? 15000 : 1000);
    return () => window.clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [request]);

  return (
    <div className={`progress progress-${request.status.toLowerCase()}`} role="status" aria-live="polite">
      {!final && <span className="spinner" aria-hidden="true" />}
      <p>
        <strong>{request.status === "APPLIED" ? doneText(request) : STEPS[request.status]}</strong>
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
