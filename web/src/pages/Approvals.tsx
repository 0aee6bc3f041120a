import { useState } from "react";
import { ApiError, call, type Approval, type Buying } from "../api";
import { Empty, ErrorState, FieldError, Loading, PageHeader, useApi } from "../components/common";
import { useSession } from "../context";
import { plan, seats, when } from "../format";
import { estimate } from "../prices";

// Reseller operations: requests above a customer's spending limit, and the emergency stop.
export function Approvals() {
  const { me } = useSession();
  if (me.role !== "reseller_ops") {
    return (
      <>
        <PageHeader title="Approvals" />
        <p className="notice">Only reseller operations approve requests.</p>
      </>
    );
  }
  return (
    <>
      <PageHeader title="Approvals">
        <p className="muted">
          Additions and purchases above a customer's spending limit wait here for up to 7 days;
          nothing is bought unless you approve them.
        </p>
      </PageHeader>
      <BuyingSwitch />
      <ApprovalList />
    </>
  );
}

function ApprovalList() {
  const list = useApi<{ approvals: Approval[] }>("/approvals", 30);
  if (list.error) return <ErrorState error={list.error} retry={list.reload} />;
  if (!list.data) return <Loading what="approvals" />;
  if (list.data.approvals.length === 0) return <Empty>Nothing is waiting for approval.</Empty>;
  return (
    <ul className="approvals" aria-label="Waiting for approval">
      {list.data.approvals.map((a) => (
        <ApprovalItem key={a.id} approval={a} onDecided={list.reload} />
      ))}
    </ul>
  );
}

function ApprovalItem({ approval: a, onDecided }: { approval: Approval; onDecided: () => void }) {
  const [note, setNote] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const what = a.kind === "insert" ? "Buy" : "Add";

  async function decide(decision: "approve" | "decline") {
    setBusy(true);
    setError(undefined);
    try {
      await call(`/approvals/${encodeURIComponent(a.id)}`, {
        method: "POST",
        body: { decision, note },
      });
      onDecided();
    } catch (e) {
      setError((e as ApiError).message);
      if ((e as ApiError).status === 409) onDecided();
    } finally {
      setBusy(false);
    }
  }

  const noteId = `note-${a.id}`;
  return (
    <li className="panel" data-testid="approval">
      <h2>
        {a.customerName} ({a.customerDomain}): {what} {seats(a.seatsToAdd, "licence")}
      </h2>
      <dl className="summary">
        <div>
          <dt>SKU and plan</dt>
          <dd>
            {a.skuName} · {plan(a.planName)}
          </dd>
        </div>
        <div>
          <dt>Asked for by</dt>
          <dd>
            {a.requestedBy}, {when(a.createdAt)}
          </dd>
        </div>
        <div>
          <dt>Estimated cost</dt>
          <dd>{estimate(a.estimatedMonthlyCostMinor, a.currency).replace("at your price", "at the customer's price")}</dd>
        </div>
        <div>
          <dt>Lapses</dt>
          <dd>{when(a.expiresAt)}</dd>
        </div>
      </dl>
      <p>{a.message}</p>
      <div className="field">
        <label htmlFor={noteId}>Note (sent with a decline)</label>
        <input id={noteId} value={note} maxLength={500} onChange={(e) => setNote(e.target.value)} />
        <FieldError id={`${noteId}-error`} message={error} />
      </div>
      <div className="form-actions">
        <button type="button" className="button primary" disabled={busy} onClick={() => void decide("approve")}>
          Approve
        </button>
        <button type="button" className="button secondary" disabled={busy} onClick={() => void decide("decline")}>
          Decline
        </button>
      </div>
    </li>
  );
}

function BuyingSwitch() {
  const buying = useApi<Buying>("/buying");
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | undefined>();
  if (buying.error) return <ErrorState error={buying.error} retry={buying.reload} />;
  if (!buying.data) return <Loading what="the buying switch" />;
  const b = buying.data;

  async function flip() {
    setError(undefined);
    try {
      await call("/buying", { method: "PUT", body: { paused: !b.paused, reason } });
      setReason("");
      buying.reload();
      window.dispatchEvent(new Event("buying-changed"));
    } catch (e) {
      const problem = e as ApiError;
      setError(problem.errors.reason ?? problem.message);
    }
  }

  return (
    <section className="panel" aria-labelledby="buying-heading" data-testid="buying-switch">
      <h2 id="buying-heading">Buying {b.paused ? "is paused" : "is on"}</h2>
      {b.paused ? (
        <p>
          Paused by {b.changedBy}, {when(b.changedAt)}: {b.reason}. Nothing is bought for any
          customer; admins cannot add or buy licences.
        </p>
      ) : (
        <>
          <p>The emergency stop: pausing stops every purchase and seat change, for every customer, at once.</p>
          <div className="field">
            <label htmlFor="pause-reason">Reason (every user sees it)</label>
            <input id="pause-reason" value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />
            <FieldError id="pause-reason-error" message={error} />
          </div>
        </>
      )}
      <button type="button" className={`button ${b.paused ? "primary" : "danger"}`} onClick={() => void flip()}>
        {b.paused ? "Resume buying" : "Pause all buying"}
      </button>
    </section>
  );
}
