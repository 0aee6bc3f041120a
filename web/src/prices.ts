// The reseller's price list as the dashboard shows it: every figure is an estimate, excluding
// VAT, in the price's own currency; no price is "No price set", never zero.
import { money } from "./format";

export const NO_PRICE = "No price set";

export type ListPrice = {
  skuId: string;
  skuName: string;
  planName: string;
  currency: string;
  perSeatMonthlyMinor: number;
  updatedAt: string | null;
  updatedBy: string | null;
};

export type Discount = {
  customerId: string;
  percent: number;
  updatedAt: string | null;
  updatedBy: string | null;
};

export type PriceChange = {
  id: string;
  kind: "price" | "discount";
  subject: string;
  before: string;
  after: string;
  by: string;
  at: string;
};

export type PriceList = { prices: ListPrice[]; discounts: Discount[]; changes?: PriceChange[] };

// A price as the catalogue and the licences carry it: null when none is set.
export type PlanPrice = { perSeatMonthlyMinor: number; currency: string } | null;

// "estimated £70.80 a month, excluding VAT, at your price"; `more`: "a month more".
export function estimate(
  minor: number | null | undefined,
  currency: string | null | undefined,
  more = false,
): string {
  if (minor === null || minor === undefined || !currency) return NO_PRICE;
  return `estimated ${money(minor, currency)} a month${more ? " more" : ""}, excluding VAT, at your price`;
}

// "£14.16 a licence a month" for one seat, or "No price set".
export function perSeat(minor: number | null | undefined, currency: string | null | undefined): string {
  if (minor === null || minor === undefined || !currency) return NO_PRICE;
  return minor === 0 ? "free" : `${money(minor, currency)} a licence a month`;
}

// "14.16" (major units, as ops type it) → 1416 minor units; a message when it is not a price.
export function parseMajor(text: string): { minor: number } | { error: string } {
  const trimmed = text.trim();
  if (!/^\d{1,6}(\.\d{1,2})?$/.test(trimmed)) {
    return { error: "Enter the price a seat a month, e.g. 14.16 (at most two decimals)." };
  }
  const [whole, fraction = ""] = trimmed.split(".");
  return { minor: Number(whole) * 100 + Number(fraction.padEnd(2, "0")) };
}

export function parsePercent(text: string): { percent: number } | { error: string } {
  const trimmed = text.trim();
  const value = Number(trimmed);
  if (!/^\d{1,2}(\.\d{1,2})?$/.test(trimmed) || value <= 0 || value >= 100) {
    return { error: "Enter a percentage above 0 and below 100, at most two decimals, e.g. 12.5." };
  }
  return { percent: value };
}

export function parseCurrency(text: string): { currency: string } | { error: string } {
  const code = text.trim().toUpperCase();
  return /^[A-Z]{3}$/.test(code)
    ? { currency: code }
    : { error: "Enter a three-letter ISO 4217 currency code, e.g. GBP." };
}

// Minor units back into what the edit field shows: 1416 → "14.16".
export function toMajor(minor: number): string {
  return `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, "0")}`;
}
