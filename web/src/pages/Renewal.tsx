import { useState, type FormEvent } from "react";
import { ApiError, call, type RenewalChange, type RenewalPlan } from "../api";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ErrorState, FieldError, Loading, PageHeader, useApi } from "../components/common";
import { RequestProgress } from "../components/Progress";
import { useCustomerPath, useSession } from "../context";
import { count, day, plan, seats } from "../format";
import { newRequestId } from "../requestId";
import { Link } from "../router";

// What a renewal setting means for the money, said before the admin confirms it.
export function moneyWords(renewalType: string, renewal: RenewalPlan): string {
  const on = renewal.renewsOn ? `on ${day(renewal.renewsOn)}` : "at the end of the term";
  if (renewalType.startsWith("RENEW_CURRENT_USERS")) {
    return (
      `At renewal ${on} the plan renews at the number of users assigned then ` +
      `(${count(renewal.assigned)} now), not at all ${seats(renewal.total)}: ` +
      "seats nobody uses stop being paid for. Reclaim unused seats before then to renew fewer."
    );
  }
  if (renewalType.startsWith("AUTO_RENEW")) {
    return (
      `At renewal ${on} all ${seats(renewal.total)} are committed again for another year ` +
      "and paid for whether they are used or not."
    );
  }
  if (renewalType === "SWITCH_TO_PAY_AS_YOU_GO") {
    return (
      `At the end of the term (${on}) the plan becomes Flexible: billed each day for the ` +
      "users assigned, with no commitment, usually at a higher price per user."
    );
  }
  if (renewalType === "CANCEL") {
    return (
      `At the end of the term (${on}) the subscription is suspended and its users lose ` +
      "access, unless the setting is changed back before then."
    );
  }
  return "Google applies this setting at the end of the term.";
}


export function RenewalPage({ skuId }: { skuId: string }) {
  const base = useCustomerPath();
  const { canChange } = useSession();
  const path = `${base}/licences/${encodeURIComponent(skuId)}/renewal`;
  const renewal = useApi<RenewalPlan>(path);
  const [chosen, setChosen] = useState("");
  const [requestId, setRequestId] = useState<string | null>(null);
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [change, setChange] = useState<RenewalChange | null>(null);
  const [outcome, setOutcome] = useState<RenewalChange["status"] | null>(null);

  if (renewal.error) {
    if (renewal.error.status === 404) {
      return (
        <>
          <PageHeader title="Renewal" />
          <p className="state state-empty">
            This licence is not one of yours. <Link href="/">Back to My Licences</Link>
          </p>
        </>
      );
    }
    return <ErrorState error={renewal.error} retry={renewal.reload} />;
  }
  const data = renewal.data;
  if (!data) return <Loading what="the renewal" />;
  const following = change ?? data.inProgress;
  const choice = data.choices.find((c) => c.renewalType === chosen);

  function review(event: FormEvent) {
    event.preventDefault();
    if (!choice) {
      setError("Choose a renewal setting.");
      return;
    }
    setError(undefined);
    setRequestId(newRequestId()); // one key for this confirmation, reused by any retry
  }

  async function confirm() {
    if (!requestId) return;
    setBusy(true);
    try {
      const asked = await call<RenewalChange>(path, {
        method: "POST",
        body: { renewalType: chosen, requestId },
      });
      setChange(asked);
      setOutcome(null);
      setRequestId(null);
    } catch (e) {
      const problem = e as ApiError;
      setError(problem.errors?.renewalType ?? problem.errors?.requestId ?? problem.message);
      // A refusal (4xx) is final for this choice; a network failure keeps the key for a retry.
      if (problem.status >= 400 && problem.status < 500) setRequestId(null);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <PageHeader title={`Renewal: ${data.skuName}`}>
        <p className="muted">
          {plan(data.planName)} plan · {data.assigned} of {data.total} seats assigned
        </p>
      </PageHeader>

      {data.choices.length === 0 ? (
        <p className="notice">
          Only annual plans renew. This licence is on the {plan(data.planName)} plan: it has no
          renewal date or renewal setting.
        </p>
      ) : (
        <section className="panel" aria-labelledby="renewal-facts">
          <h2 id="renewal-facts">At the end of the term</h2>
          <dl className="summary">
            <div>
              <dt>Renews on</dt>
              <dd data-testid="renews-on">{data.renewsOn ? day(data.renewsOn) : "Not reported by Google"}</dd>
            </div>
            <div>
              <dt>Days left</dt>
              <dd data-testid="days-left">{data.daysLeft === null ? "—" : count(data.daysLeft)}</dd>
            </div>
            <div>
              <dt>Renewal setting</dt>
              <dd data-testid="renewal-setting">{data.renewalLabel}</dd>
            </div>
          </dl>
          {data.recommendation && <p data-testid="recommendation">{data.recommendation}.</p>}
          {data.warning && (
            <p className="notice" role="note" data-testid="renewal-warning">
              {data.warning}
            </p>
          )}
        </section>
      )}

      {following ? (
        <section className="panel">
          <h2>
            {outcome === "APPLIED"
              ? "Renewal setting changed"
              : outcome
                ? "Renewal setting not changed"
                : `Changing the renewal setting to: ${following.renewalLabel}`}
          </h2>
          <RequestProgress<RenewalChange>
            path={`${path}/${encodeURIComponent(following.id)}`}
            initial={following}
            working="Asking Google Workspace to change the renewal setting…"
            onFinished={(r) => {
              setOutcome(r.status);
              renewal.reload();
            }}
            doneText={(r) => `Changed: the plan will ${r.renewalLabel.toLowerCase()}.`}
          />
          <p className="actions">
            <Link href="/">Back to My Licences</Link>
            <Link href={`/logs?sku=${encodeURIComponent(skuId)}`}>View in Logs</Link>
            {outcome && (
              <button
                type="button"
                className="button secondary"
                onClick={() => {
                  setChange(null);
                  setOutcome(null);
                  setChosen("");
                }}
              >
                Change again
              </button>
            )}
          </p>
        </section>
      ) : (
        data.choices.length > 0 && (
          <form className="panel" onSubmit={review} noValidate>
            {!canChange && <p className="notice">Only the customer's admin can change the renewal setting.</p>}
            <fieldset disabled={!canChange || busy} aria-describedby={error ? "renewal-error" : undefined}>
              <legend>Change the renewal setting</legend>
              {data.choices.map((c) => (
                <div className="field field-radio" key={c.renewalType}>
                  <input
                    type="radio"
                    id={`renewal-${c.renewalType}`}
                    name="renewalType"
                    value={c.renewalType}
                    checked={chosen === c.renewalType}
                    disabled={c.renewalType === data.renewalType}
                    onChange={() => {
                      setChosen(c.renewalType);
                      setError(undefined);
                    }}
                  />
                  <label htmlFor={`renewal-${c.renewalType}`}>
                    {c.label}
                    {c.renewalType === data.renewalType ? " (current)" : ""}
                  </label>
                </div>
              ))}
              <FieldError id="renewal-error" message={error} />
              <div className="form-actions">
                <button type="submit" className="button primary">
                  Continue
                </button>
                <Link href="/" className="button secondary">
                  Cancel
                </Link>
              </div>
            </fieldset>
          </form>
        )
      )}

      {requestId && choice && (
        <ConfirmDialog
          title="Change the renewal setting?"
          confirmLabel="Change renewal setting"
          busyLabel="Changing…"
          busy={busy}
          onConfirm={() => void confirm()}
          onCancel={() => setRequestId(null)}
        >
          <p>
            From <strong>{data.renewalLabel}</strong> to <strong>{choice.label}</strong> for{" "}
            {data.skuName}.
          </p>
          <p>{moneyWords(choice.renewalType, data)}</p>
          <p className="muted">Nothing is bought now. You can change it again until the renewal date.</p>
        </ConfirmDialog>
      )}
    </>
  );
}
