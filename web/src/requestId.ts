// A new idempotency key for one confirmed change: sent again with every retry of the same POST,
// so a double click or a lost answer never asks twice (renewal changes, unassigns).
export function newRequestId(): string {
  if (typeof crypto !== "undefined" && "randomUUID" in crypto) return crypto.randomUUID();
  return `r-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}
