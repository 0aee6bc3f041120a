// The note beside every figure priced from the reseller's price list.
export function PriceNote({ id }: { id?: string }) {
  return (
    <p className="muted price-note" id={id} data-testid="price-note">
      Every price and cost here is an estimate per month, excluding VAT, at your price: your
      reseller's list price less any discount agreed with you. Your reseller's invoice is what
      counts.
    </p>
  );
}
