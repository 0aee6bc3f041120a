import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { Fragment, useState } from "react";
import { ApiError, call, type Notification, type NotificationPage } from "../api";
import { Empty, ErrorState, Loading, scrollable } from "../components/common";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { useSession } from "../context";
import { delivery, notificationType, when } from "../format";
import { navigate, useAddressState } from "../router";

const PAGE = 25;

// The notifications sent, newest first, a page at a time, refreshed every 15 s so a resend's
// own delivery shows as it happens. `problemsOnly` is in the address (?problems=1).
export function useSentNotifications(base: string, problemsOnly: boolean) {
  return useInfiniteQuery<NotificationPage, ApiError>({
    queryKey: ["notifications", base, problemsOnly],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => {
      const params = new URLSearchParams({ limit: String(PAGE) });
      if (problemsOnly) params.set("problems", "true");
      if (pageParam) params.set("cursor", pageParam as string);
      return call<NotificationPage>(`${base}/notifications?${params}`, { signal });
    },
    getNextPageParam: (last) => last.nextCursor,
    refetchInterval: 15_000,
    refetchIntervalInBackground: false,
  });
}

export function SentNotifications({
  base,
  problemsOnly,
  sent,
}: {
  base: string;
  problemsOnly: boolean;
  sent: ReturnType<typeof useSentNotifications>;
}) {
  const { canChange } = useSession();
  const client = useQueryClient();
  const [confirming, setConfirming] = useState<Notification | null>(null);
  const [notice, setNotice] = useState<{ text: string; failed: boolean } | null>(null);
  const resend = useMutation<Notification, ApiError, Notification>({
    mutationFn: (n) => call<Notification>(`${base}/notifications/${encodeURIComponent(n.id)}/resend`, { method: "POST" }),
    onSuccess: (made) => {
      setConfirming(null);
      setNotice({
        text: `${notificationType(made.type)} email sent again: its delivery shows in the list (${delivery(made.status)}).`,
        failed: false,
      });
      void client.invalidateQueries({ queryKey: ["notifications", base] });
    },
    onError: (error) => {
      setConfirming(null);
      setNotice({ text: error.message, failed: true });
    },
  });
  const rows = sent.data?.pages.flatMap((p) => p.notifications) ?? null;
  const [ticked, setTicked] = useAddressState(problemsOnly, String);

  return (
    <>
      <div className="toolbar">
        <div className="toggle">
          <input
            id="problems-only"
            type="checkbox"
            checked={ticked}
            onChange={(e) => {
              setTicked(e.target.checked);
              navigate(e.target.checked ? "/notifications?problems=1" : "/notifications", true);
            }}
          />
          <label htmlFor="problems-only">Show problems only (not delivered, unconfirmed, nobody to send to)</label>
        </div>
      </div>
      {notice && (
        <p className={notice.failed ? "field-error" : "success"} role={notice.failed ? "alert" : "status"}>
          {notice.text}
        </p>
      )}
      {sent.error && <ErrorState error={sent.error} retry={() => void sent.refetch()} />}
      {rows === null && !sent.error && <Loading what="notifications" />}
      {rows && rows.length === 0 && (
        <Empty>
          {problemsOnly
            ? "No problems: every email was delivered or is on its way."
            : "No notifications yet. Alerts and top-up confirmations appear here when they are sent."}
        </Empty>
      )}
      {rows && rows.length > 0 && (
        <div className="table-wrap" {...scrollable("Notifications sent")}>
          <table className="sent">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Type</th>
                <th scope="col">Licence</th>
                <th scope="col">Recipients</th>
                <th scope="col">Delivery</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((n) => (
                <tr key={n.id} data-id={n.id}>
                  <td className="when">
                    <time dateTime={n.createdAt}>{when(n.createdAt)}</time>
                  </td>
                  <td>
                    {notificationType(n.type)}
                    {n.resendOf && <span className="muted small source">Sent again by {n.resentBy}</span>}
                  </td>
                  <td>{n.skuName}</td>
                  <td className="addresses">
                    {n.recipients.length
                      ? n.recipients.map((r, i) => (
                          <Fragment key={r}>
                            {i > 0 && ", "}
                            <span className="address">{r}</span>
                          </Fragment>
                        ))
                      : "—"}
                    {n.refusedRecipients.length > 0 && (
                      <p className="field-error small refused">
                        Not sent to {n.refusedRecipients.join(", ")}: SendGrid refuses{" "}
                        {n.refusedRecipients.length === 1 ? "this address" : "these addresses"}. Correct{" "}
                        {n.refusedRecipients.length === 1 ? "it" : "them"} under Recipients.
                      </p>
                    )}
                  </td>
                  <td>
                    <span className={`status delivery-${n.status.toLowerCase()}`}>{delivery(n.status)}</span>
                    {n.sentAt && <span className="muted small source">{when(n.sentAt)}</span>}
                    {n.error && <span className="muted small source">{n.error}</span>}
                    {n.resentAs && <span className="small source">Sent again since (see above)</span>}
                    {(n.recipientOutcomes ?? [])
                      .filter((o) => o.event !== "delivered")
                      .map((o) => (
                        <span key={o.email} className="field-error small source bounced">
                          {o.email}: {o.event}
                          {o.reason ? ` (${o.reason})` : ""}
                        </span>
                      ))}
                    {(n.channels ?? []).map((c) => (
                      <span key={c.channelId} className={`small source channel-${c.status.toLowerCase()}`}>
                        Channel {c.channelId}: {delivery(c.status)}
                        {c.status === "UNCONFIRMED" && " — may not have arrived; not sent again"}
                      </span>
                    ))}
                    {n.canResend && canChange && (
                      <button
                        type="button"
                        className="button secondary small resend"
                        aria-label={`Send again: ${notificationType(n.type)} of ${when(n.createdAt)}`}
                        onClick={() => {
                          setNotice(null);
                          setConfirming(n);
                        }}
                      >
                        Send again
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {sent.hasNextPage && (
        <p>
          <button
            type="button"
            className="button secondary"
            disabled={sent.isFetchingNextPage}
            onClick={() => void sent.fetchNextPage()}
          >
            {sent.isFetchingNextPage ? "Loading…" : "Show older notifications"}
          </button>
        </p>
      )}
      {confirming && (
        <ConfirmDialog
          title="Send this email again?"
          confirmLabel="Send again"
          busyLabel="Sending…"
          busy={resend.isPending}
          onConfirm={() => resend.mutate(confirming)}
          onCancel={() => setConfirming(null)}
        >
          <p>
            The {notificationType(confirming.type)} email of {when(confirming.createdAt)}{" "}
            {confirming.status === "FAILED" ? "was not delivered" : "may not have been delivered"}.
          </p>
          <p>
            <strong>It may arrive twice:</strong> if the first one did get through, its recipients will
            receive it again. It goes to everyone who receives this type of email now, and the resend is
            recorded in the Logs with your name.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}
