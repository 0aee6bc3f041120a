// Reclaimable seats: what the customer pays for and nobody uses (suspended users, users who never
// signed in, users with no recent activity), from the daily check of who holds each seat; what
// they cost; how to free each one (an add-on: unassigned here once an admin confirms, through the
// same exactly-once path as seat changes; the Workspace licence: in the Admin console); and the
// days that count as inactive. Nothing is changed without a confirmation.
import { useInfiniteQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import {
  call,
  download,
  type ApiError,
  type Reclaim as ReclaimBody,
  type ReclaimHolder,
  type ReclaimPolicy,
  type ReclaimSummary,
  type Unassign,
} from "../api";
import { Empty, ErrorState, FieldError, Loading, PageHeader, scrollable, useApi } from "../components/common";
import { useCustomerPath, useSession } from "../context";
import { count, day, plan, when } from "../format";
import {
  daysUnseen,
  policyDays,
  reclaimCost,
  reclaimPath,
  reclaimQuery,
  seatKey,
  withReclaimable,
} from "../reclaim";
import { navigate, useAddressState, useLocation } from "../router";
import { UnassignAction } from "./ReclaimUnassign";
import { SavingsCard } from "./SavingsCard";

const PAGE = 50;

export function Reclaim() {
  const base = useCustomerPath();
  const { query } = useLocation();
  const [sku, setSku] = useAddressState(query.get("sku") ?? "", (s) => s);
  // Keyed by customer and SKU: a new filter starts from its own first page.
  const list = useInfiniteQuery<ReclaimBody, ApiError>({
    queryKey: ["reclaim", base, sku],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) =>
      call<ReclaimBody>(`${base}/reclaim${reclaimQuery(sku, { limit: PAGE, cursor: pageParam as string | null })}`, {
        signal,
      }),
    getNextPageParam: (last) => last.nextCursor,
  });
  const first = list.data?.pages[0];
  const holders = list.data?.pages.flatMap((p) => p.holders) ?? [];
  const choose = (next: string) => {
    setSku(next);
    navigate(reclaimPath(next), true);
  };

  return (
    <>
      <PageHeader title="Reclaim">
        <p className="muted">
          Seats you pay for that nobody uses: suspended users (Google bills them in full), users who never signed in,
          and users with no activity for a while. Checked once a day
          {first?.syncedAt ? `; last checked ${when(first.syncedAt)}` : ""}.
        </p>
      </PageHeader>
      {list.error && !first && <ErrorState error={list.error} retry={() => void list.refetch()} />}
      {!first && !list.error && <Loading what="reclaimable seats" />}
      {first?.notice && (
        <p className="notice" role="status" data-testid="reclaim-notice">
          {first.notice}
        </p>
      )}
      {first && !first.notice && (
        <Listing
          body={first}
          holders={holders}
          base={base}
          sku={sku}
          choose={choose}
          csvPath={`${base}/reclaim.csv${reclaimQuery(sku)}`}
          more={
            list.hasNextPage ? (
              <p>
                <button
                  type="button"
                  className="button secondary"
                  disabled={list.isFetchingNextPage}
                  onClick={() => void list.fetchNextPage()}
                >
                  {list.isFetchingNextPage ? "Loading…" : "Show more"}
                </button>
              </p>
            ) : null
          }
        />
      )}
      <SavingsCard />
      <PolicyEditor path={`${base}/reclaim-policy`} />
    </>
  );
}

function Listing({
  body,
  holders: listed,
  base,
  sku,
  choose,
  csvPath,
  more,
}: {
  body: ReclaimBody;
  holders: ReclaimHolder[];
  base: string;
  sku: string;
  choose: (sku: string) => void;
  csvPath: string;
  more: React.ReactNode;
}) {
  const { canChange } = useSession();
  // Unassigns asked for on this page, by seat: a seat unassigned leaves the list when it is
  // read again, so its row is kept (first) with its outcome until the page is left.
  const [followed, setFollowed] = useState<Record<string, { holder: ReclaimHolder; request: Unassign }>>({});
  const shown = new Set(listed.map(seatKey));
  const gone = Object.values(followed)
    .filter((f) => !shown.has(seatKey(f.holder)) && (!sku || f.holder.skuId === sku))
    .map((f) => f.holder);
  const holders = [...gone, ...listed];
  const bySku = new Map(body.summaries.map((s) => [s.skuId, s]));
  const reclaimable = withReclaimable(body.summaries);
  if (reclaimable.length === 0 && gone.length === 0) {
    return (
      <Empty>
        <p>
          <strong>No reclaimable seats.</strong> Everyone holding a licence has been active in the last{" "}
          {count(body.countedWithInactiveDays ?? body.inactiveDays)} days.
        </p>
      </Empty>
    );
  }
  return (
    <>
      <ul className="cards" aria-label="Reclaimable seats by licence">
        {reclaimable.map((s) => (
          <SummaryCard key={s.skuId} summary={s} />
        ))}
      </ul>
      <div className="toolbar">
        <div className="field inline">
          <label htmlFor="reclaim-sku">Licence</label>
          <select id="reclaim-sku" value={sku} onChange={(e) => choose(e.target.value)}>
            <option value="">All licences</option>
            {reclaimable.map((s) => (
              <option key={s.skuId} value={s.skuId}>
                {s.skuName}
              </option>
            ))}
          </select>
        </div>
        <DownloadCsv path={csvPath} />
      </div>
      {holders.length === 0 ? (
        <Empty>No reclaimable seats for this licence.</Empty>
      ) : (
        <div className="table-wrap" {...scrollable("Reclaimable seats")}>
          <table className="reclaim">
            <caption className="visually-hidden">Reclaimable seats: who holds them and why</caption>
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Licence</th>
                <th scope="col">Reason</th>
                <th scope="col">Last seen</th>
                <th scope="col" className="num">
                  Days without activity
                </th>
                <th scope="col">What to do</th>
              </tr>
            </thead>
            <tbody>
              {holders.map((h) => (
                <HolderRow key={seatKey(h)} holder={h}>
                  {h.action.kind === "UNASSIGN" ? (
                    <UnassignAction
                      holder={h}
                      summary={bySku.get(h.skuId)}
                      base={base}
                      canChange={canChange}
                      followed={followed[seatKey(h)]?.request}
                      follow={(request) =>
                        setFollowed((before) => ({ ...before, [seatKey(h)]: { holder: h, request } }))
                      }
                    />
                  ) : null}
                </HolderRow>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {more}
    </>
  );
}

function SummaryCard({ summary: s }: { summary: ReclaimSummary }) {
  return (
    <li className="card" data-sku={s.skuId}>
      <span className="card-label">{s.skuName}</span>
      <span className="card-value">{count(s.count)}</span>
      <span className="card-note">
        reclaimable · {plan(s.planName) || "plan unknown"} · <strong>{reclaimCost(s)}</strong>
      </span>
      <span className="card-note reclaim-words">{s.words}</span>
    </li>
  );
}

function HolderRow({ holder: h, children }: { holder: ReclaimHolder; children: React.ReactNode }) {
  const asOf = h.activityAsOf ? `Activity reports run to ${day(h.activityAsOf)}` : undefined;
  return (
    <tr data-sku={h.skuId} data-reason={h.reason}>
      <td className="who">{h.email}</td>
      <td>{h.skuName}</td>
      <td>{h.reasonLabel}</td>
      <td className="nowrap" title={asOf}>
        {h.lastSeen ? <time dateTime={h.lastSeen}>{day(h.lastSeen)}</time> : "never"}
      </td>
      <td className="num">{daysUnseen(h.daysWithoutActivity, h.lastSeen)}</td>
      <td className="reclaim-action">
        {children}
        {h.action.link && (
          <a href={h.action.link} target="_blank" rel="noreferrer noopener">
            {actionLabel(h.action.kind)}
          </a>
        )}
        <details>
          <summary>How</summary>
          {h.action.instruction}
        </details>
      </td>
    </tr>
  );
}

// The link's words: what the admin does on the Admin console page it opens (an add-on's seat
// is unassigned here instead, and has no link).
function actionLabel(kind: ReclaimHolder["action"]["kind"]): string {
  return kind === "UNASSIGN" ? "Unassign in the Admin console" : "Delete or archive in the Admin console";
}

// Every reclaimable seat under the current filter, not only the ones shown.
function DownloadCsv({ path }: { path: string }) {
  const [state, setState] = useState<{ busy: boolean; text: string | null; failed: boolean }>({
    busy: false,
    text: null,
    failed: false,
  });

  async function save() {
    setState({ busy: true, text: null, failed: false });
    try {
      const name = await download(path, "reclaimable-seats.csv");
      setState({ busy: false, text: `Downloaded ${name}.`, failed: false });
    } catch (e) {
      setState({ busy: false, text: `The download failed: ${(e as ApiError).message}`, failed: true });
    }
  }

  return (
    <div className="field inline download">
      <button type="button" className="button secondary" disabled={state.busy} onClick={() => void save()}>
        {state.busy ? "Preparing…" : "Export CSV"}
      </button>
      <span className={state.failed ? "field-error small" : "muted small"} role="status">
        {state.text}
      </span>
    </div>
  );
}

function PolicyEditor({ path }: { path: string }) {
  const { canChange } = useSession();
  const saved = useApi<ReclaimPolicy>(path);
  const [typed, setTyped] = useState<string | null>(null);
  const [error, setError] = useState<string | undefined>(undefined);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (saved.error) return <ErrorState error={saved.error} retry={saved.reload} />;
  if (!saved.data) return <Loading what="the reclaim policy" />;
  const policy = saved.data;
  const shown = typed ?? String(policy.inactiveDays);

  async function save(event: FormEvent) {
    event.preventDefault();
    setMessage(null);
    const parsed = policyDays(shown);
    if ("error" in parsed) {
      setError(parsed.error);
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const after = await call<ReclaimPolicy>(path, { method: "PUT", body: { inactiveDays: parsed.days } });
      setTyped(null);
      setMessage(
        `Saved: seats count as reclaimable after ${after.inactiveDays} days without activity, from the next daily check.`,
      );
      saved.reload();
    } catch (e) {
      const failure = e as ApiError;
      setError(failure.errors.inactiveDays ?? failure.message);
    } finally {
      setBusy(false);
    }
  }

  const pending =
    policy.countedWithInactiveDays !== null && policy.countedWithInactiveDays !== policy.inactiveDays
      ? `The list above was made with ${policy.countedWithInactiveDays} days; ${policy.inactiveDays} days apply from the next daily check.`
      : null;

  return (
    <form className="settings" onSubmit={save} noValidate>
      <fieldset disabled={!canChange || busy}>
        <section className="panel" aria-labelledby="policy-heading">
          <h2 id="policy-heading">When is a seat reclaimable?</h2>
          {!canChange && <p className="notice">You can see this setting; only the customer's admin can change it.</p>}
          <div className="field">
            <label htmlFor="field-inactiveDays">Days without activity</label>
            <p className="hint" id="policy-hint">
              A seat counts as reclaimable when its user has not signed in or been active for this many days, or never
              signed in this many days after their account was made. From {policy.minInactiveDays} to{" "}
              {policy.maxInactiveDays}; {policy.defaultInactiveDays} unless changed.
              {policy.changedBy && policy.changedAt ? ` Last changed by ${policy.changedBy}, ${when(policy.changedAt)}.` : ""}
            </p>
            <input
              id="field-inactiveDays"
              inputMode="numeric"
              autoComplete="off"
              type="text"
              className="narrow"
              value={shown}
              aria-invalid={error ? true : undefined}
              aria-describedby={["policy-hint", error && "field-inactiveDays-error"].filter(Boolean).join(" ")}
              onChange={(e) => {
                setTyped(e.target.value);
                setError(undefined);
                setMessage(null);
              }}
            />
            <FieldError id="field-inactiveDays-error" message={error} />
            {pending && <p className="hint">{pending}</p>}
          </div>
        </section>
      </fieldset>
      {message && (
        <p className="success" role="status">
          {message}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={!canChange || busy}>
          {busy ? "Saving…" : "Save policy"}
        </button>
      </div>
    </form>
  );
}
