// SKUs the customer holds through an offline order: invoiced outside the reseller console, so
// Licence Manager neither shows their seats nor sells them again (Google would refuse the order).

export const OFFLINE_NOT_MANAGED =
  "Licences bought through an offline order are not managed here: ask your account manager about them.";

export function HeldOffline({ skus }: { skus: { skuId: string; skuName: string }[] }) {
  if (skus.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="held-offline-heading">
      <h2 id="held-offline-heading">Held through an offline order</h2>
      <p className="muted">
        You already have these through an offline order, so they cannot be bought here. {OFFLINE_NOT_MANAGED}
      </p>
      <ul>
        {skus.map((s) => (
          <li key={s.skuId}>{s.skuName}: held through an offline order</li>
        ))}
      </ul>
    </section>
  );
}
