import { useEffect } from "react";
import type { Buying } from "../api";
import { when } from "../format";
import { useApi } from "./common";

// On every page while reseller operations have paused all buying (the emergency stop).
export function BuyingBanner() {
  const buying = useApi<Buying>("/buying", 60);
  const { reload } = buying;
  useEffect(() => {
    window.addEventListener("buying-changed", reload);
    return () => window.removeEventListener("buying-changed", reload);
  }, [reload]);
  if (!buying.data?.paused) return null;
  return (
    <div className="banner banner-paused" role="alert" data-testid="buying-paused">
      <strong>Buying is paused by the reseller</strong>
      {buying.data.reason ? `: ${buying.data.reason}` : ""}. Licences cannot be added or bought
      until it is resumed (since {when(buying.data.changedAt)}).
    </div>
  );
}
