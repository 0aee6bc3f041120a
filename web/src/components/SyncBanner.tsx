import { useContext } from "react";
import { SessionContext } from "../context";
import { useSyncStatus } from "../freshness";
import { useLocation } from "../router";

// On every customer page while the customer's figures are older than three sync intervals (or
// were never checked): when Google was last asked, and the reason the sync recorded, if any.
export function SyncBanner() {
  const session = useContext(SessionContext);
  const { customerId } = useLocation();
  const status = useSyncStatus(customerId && session ? session.customerId : null);
  const warning = status.data?.warning;
  if (!warning) return null;
  return (
    <div className="banner banner-stale" role="alert" data-testid="sync-stale">
      <strong>These figures may be out of date.</strong> {warning}
    </div>
  );
}
