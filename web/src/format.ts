// Figures and dates as people in the UK read them, in the customer's time zone. Every date and
// number the dashboard shows goes through this module.

let zone = "Europe/London";
let dateTime = formatter(zone, true);
let dateOnly = formatter(zone, false);

function formatter(timeZone: string, withTime: boolean): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat("en-GB", {
    timeZone,
    day: "numeric",
    month: "short",
    year: "numeric",
    ...(withTime ? { hour: "2-digit", minute: "2-digit" } : {}),
  });
}

// The shell sets the customer's zone once it knows the customer; every date follows it.
export function setTimeZone(timeZone: string): void {
  zone = timeZone;
  dateTime = formatter(zone, true);
  dateOnly = formatter(zone, false);
}

export function timeZone(): string {
  return zone;
}

export function when(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

export function day(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateOnly.format(date);
}

const whole = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 0 });

// Seat counts and other whole numbers: "12,000".
export function count(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  return whole.format(value);
}

// Rounded so that it never claims more than is true: 995 of 1,000 is 99.5%, not 100%, and one
// seat in use of 1,000 is 0.1%, not 0%.
export function percent(fraction: number | null | undefined): string {
  if (fraction === null || fraction === undefined) return "—";
  const exact = fraction * 100;
  let shown = Math.round(exact);
  if ((shown === 100 && exact < 100) || (shown === 0 && exact > 0)) {
    shown = Math.round(exact * 10) / 10;
    if (shown === 100) shown = 99.9;
    if (shown === 0) shown = 0.1;
  }
  return `${new Intl.NumberFormat("en-GB", { maximumFractionDigits: 1 }).format(shown)}%`;
}

// Always in the figure's own currency (a price's, a limit's): no currency is assumed.
export function money(minor: number | null | undefined, currency: string): string {
  if (minor === null || minor === undefined) return "—";
  return new Intl.NumberFormat("en-GB", { style: "currency", currency }).format(minor / 100);
}

export function seats(n: number, noun = "seat"): string {
  return `${count(n)} ${n === 1 ? noun : `${noun}s`}`;
}

const PLAN_LABELS: Record<string, string> = {
  FLEXIBLE: "Flexible",
  ANNUAL: "Annual (monthly payments)",
  ANNUAL_MONTHLY_PAY: "Annual (monthly payments)",
  ANNUAL_YEARLY_PAY: "Annual (yearly payment)",
  TRIAL: "Trial",
  FREE: "Free",
};

export function plan(name: string): string {
  return PLAN_LABELS[name] ?? name;
}

export function isAnnual(name: string): boolean {
  return name.startsWith("ANNUAL");
}

const STATUS_LABELS: Record<string, string> = {
  ACTIVE: "Active",
  SUSPENDED: "Suspended",
  PENDING: "Pending",
  REMOVED: "Removed",
};

export function status(value: string): string {
  return STATUS_LABELS[value] ?? value;
}

const ACTION_LABELS: Record<string, string> = {
  LICENCE_DISCOVERED: "Licence found",
  SEATS_CHANGED_OUTSIDE: "Seats changed outside Licence Manager",
  PLAN_CHANGED: "Plan changed",
  STATUS_CHANGED: "Status changed",
  LICENCE_REMOVED: "Licence removed",
  LOW_LICENCE_ALERT: "Low licence alert",
  TOP_UP_REQUESTED: "Licences requested",
  TOP_UP_BLOCKED: "Top-up blocked",
  TOP_UP_APPLIED: "Licences added",
  TOP_UP_FAILED: "Licences not added",
  TOP_UP_SUPERSEDED: "Request not needed",
  TOP_UP_APPROVED: "Approved by the reseller",
  SETTINGS_CHANGED: "Settings changed",
  RECIPIENT_ADDED: "Recipient added",
  RECIPIENT_CHANGED: "Recipient changed",
  RECIPIENT_REMOVED: "Recipient removed",
  NOTIFICATION_RESENT: "Email sent again",
  TIME_ZONE_CHANGED: "Time zone changed",
  RECLAIM_POLICY_CHANGED: "Reclaim policy changed",
  RENEWAL_TYPE_CHANGED: "Renewal type changed",
  SEAT_UNASSIGNED: "Seat unassigned",
  TOP_UPS_PAUSED: "Automatic top-ups paused",
  TOP_UPS_RESUMED: "Automatic top-ups resumed",
  ANOMALY_POLICY_CHANGED: "Anomaly thresholds changed",
};

export function action(value: string, source: string): string {
  if (value === "TOP_UP_APPLIED" && source === "purchase") return "Licences bought";
  if (value === "TOP_UP_REQUESTED" && source === "purchase") return "Purchase requested";
  return ACTION_LABELS[value] ?? value;
}

// The log's event types for its filter, in the order the labels are listed.
export function actionTypes(): { value: string; label: string }[] {
  return Object.entries(ACTION_LABELS).map(([value, label]) => ({ value, label }));
}

const SOURCE_LABELS: Record<string, string> = {
  sync: "Sync",
  outside: "Outside Licence Manager",
  automatic: "Automatic top-up",
  manual: "Added by hand",
  purchase: "Purchase",
  dashboard: "Dashboard",
};

export function source(value: string): string {
  return SOURCE_LABELS[value] ?? value;
}

export const NOTIFICATION_TYPES: { key: keyof import("./api").Preferences; type: string; label: string }[] = [
  { key: "lowLicences", type: "low_licences", label: "Low licences" },
  { key: "topUpApplied", type: "top_up_applied", label: "Top-up applied" },
  { key: "topUpFailed", type: "top_up_failed", label: "Top-up failed or blocked" },
  { key: "purchaseConfirmed", type: "purchase_confirmed", label: "Purchase confirmed" },
  { key: "monthEndReport", type: "month_end_report", label: "Month-end report" },
  { key: "renewalReminder", type: "renewal_reminder", label: "Renewal reminder" },
  { key: "topUpsPaused", type: "top_ups_paused", label: "Automatic top-ups paused" },
  { key: "trialEnding", type: "trial_ending", label: "Trial ending or ended" },
  { key: "subscriptionStatus", type: "subscription_status", label: "Subscription suspended, cancelled or transferred" },
];

export function notificationType(type: string): string {
  // Sent to those who want "top-up failed or blocked" (it has no preference of its own).
  if (type === "approval_needed") return "Waiting for the reseller's approval";
  return NOTIFICATION_TYPES.find((t) => t.type === type)?.label ?? type;
}

const DELIVERY_LABELS: Record<string, string> = {
  PENDING: "Waiting to send",
  CLAIMED: "Sending",
  SENDING: "Sending",
  SENT: "Sent",
  FAILED: "Not delivered",
  NO_RECIPIENTS: "No recipients",
  UNCONFIRMED: "Unconfirmed",
  DELIVERED: "Delivered",
  BOUNCED: "Bounced",
};

export function delivery(value: string): string {
  return DELIVERY_LABELS[value] ?? value;
}

// ---- calendar dates (issue 11: reports) -----------------------------------------------------
// A report's days are calendar dates in the customer's zone ("2026-11-03"), not instants: they
// are formatted as written, never shifted by a zone.

const calendar = (options: Intl.DateTimeFormatOptions) =>
  new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", ...options });
const dayMonthYear = calendar({ day: "numeric", month: "short", year: "numeric" });
const dayMonth = calendar({ day: "numeric", month: "short" });
const monthYear = calendar({ month: "short", year: "numeric" });

function parseCalendarDate(iso: string): Date | null {
  const date = new Date(`${iso.slice(0, 10)}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? null : date;
}

// Today's date in the customer's zone (or `zoneName`), as YYYY-MM-DD.
export function todayIn(zoneName: string = zone, now: Date = new Date()): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: zoneName,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).formatToParts(now);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${part("year")}-${part("month")}-${part("day")}`;
}

// "3 Nov 2026"
export function fullDate(iso: string): string {
  const d = parseCalendarDate(iso);
  return d ? dayMonthYear.format(d) : iso;
}

// "3 Nov"
export function shortDate(iso: string): string {
  const d = parseCalendarDate(iso);
  return d ? dayMonth.format(d) : iso;
}

// "Nov 2026"
export function monthLabel(iso: string): string {
  const d = parseCalendarDate(iso.length === 7 ? `${iso}-01` : iso);
  return d ? monthYear.format(d) : iso;
}

// "w/c 17 Nov": the Monday of the week the date is in.
export function weekCommencing(iso: string): string {
  const d = parseCalendarDate(iso);
  if (!d) return iso;
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return `w/c ${dayMonth.format(d)}`;
}

// ---- the customer's clock --------------------------------------------------------------------

// What a clock in another zone reads: a preview before choosing that zone.
export function whenIn(instant: Date, timeZone: string): string {
  return formatter(timeZone, true).format(instant);
}
