// The data API (/api/v1): JSON in and out; errors are RFC 9457 problem details.

import type { PlanPrice } from "./prices";

export type Problem = {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: Record<string, string>;
  current?: unknown; // a 409's extension member: the state someone else saved (settings)
};

export class ApiError extends Error {
  status: number;
  title: string;
  errors: Record<string, string>;
  problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail || problem.title);
    this.status = problem.status;
    this.title = problem.title;
    this.errors = problem.errors ?? {};
    this.problem = problem;
  }
}

type TokenSource = () => Promise<string | null>;
let onChanged: () => void = () => {};

// Called after every change the API accepted (any method but GET), so what the pages show
// is fetched again rather than served from the cache.
export function setChangeListener(listener: () => void): void {
  onChanged = listener;
}
let tokenSource: TokenSource = async () => null;
let onSignedOut: () => void = () => {};

export function setTokenSource(source: TokenSource, signedOut: () => void): void {
  tokenSource = source;
  onSignedOut = signedOut;
}

export async function call<T>(
  path: string,
  options: { method?: string; body?: unknown; signal?: AbortSignal } = {},
): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  const token = await tokenSource();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method: options.method ?? "GET",
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if ((error as Error).name === "AbortError") throw error;
    throw new ApiError({
      type: "about:blank",
      title: "Network error",
      status: 0,
      detail: "Licence Manager cannot be reached. Check your connection and try again.",
    });
  }
  const changed = response.ok && (options.method ?? "GET") !== "GET";
  if (changed) onChanged();
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!response.ok) {
    const problem = (body as Problem | null) ?? {
      type: "about:blank",
      title: response.statusText,
      status: response.status,
      detail: `The server answered ${response.status}.`,
    };
    if (response.status === 401 && path !== "/session") onSignedOut();
    throw new ApiError({ ...problem, status: response.status });
  }
  return body as T;
}


// ---- shapes -----------------------------------------------------------------------------

export type Customer = { customerId: string; customerDomain: string; name: string; timeZone: string };
export type SeenCustomer = Customer & { canChange: boolean };
export type Me = {
  email: string;
  name: string;
  role: "customer_admin" | "account_manager" | "reseller_ops";
  roleLabel: string;
  // The first page of customers; more exist (reseller ops' book) when the cursor is set.
  customers: SeenCustomer[];
  customersNextCursor?: string | null;
};

export type Settings = {
  lowLicenceAlert: boolean;
  alertVacantAtOrBelow: number | null;
  alertUtilisationAtOrAbove: number | null;
  autoTopUp: boolean;
  topUpWhenVacantBelow: number;
  topUpTargetVacant: number;
  topUpMode: "restore" | "fixed_step";
  topUpStep: number;
  maxTotalSeats: number | null;
  maxSeatsPerMonth: number | null;
  // Reclaim before buying: no automatic top-up while this many seats or more are reclaimable
  // (null: off).
  holdTopUpsWhenReclaimable: number | null;
  description: string;
  // The settings routes only (not the licence list): what automation could cost at worst.
  worstCaseMonthly?: WorstCaseMonthly;
  // The settings routes only: which save this is (sent back with a PUT), who made it and when.
  version?: string | null;
  updatedBy?: string | null;
  updatedAt?: string | null;
};

// The most seats automatic top-ups could add in one calendar month under the caps, at the
// customer's price (an estimate, excluding VAT). seats null: no cap bounds it; currency null:
// no price is set.
export type WorstCaseMonthly = {
  seats: number | null;
  estimatedCostMinor: number | null;
  currency: string | null;
};

export type Licence = {
  skuId: string;
  skuName: string;
  planName: string;
  assigned: number;
  total: number;
  vacant: number;
  utilisation: number;
  status: string;
  updatedAt: string;
  settings: Settings;
  lowLicenceAlert: boolean;
  topUpInProgress: boolean;
  automationPaused: boolean;
  // The anomaly guard paused automatic top-ups (null: not paused); only a resume lifts it.
  topUpsPaused?: TopUpsPaused | null;
  // The customer's price (discount applied); both null when no price is set.
  price: { currency: string | null; perSeatMonthlyMinor: number | null; planExplanation: string };
  // Reclaimable seats from the daily holder sync: null before it ever ran for the customer.
  reclaim?: LicenceReclaim | null;
  // The run-out forecast the holder sync stored: null before it ran, or for a SKU without one.
  forecast?: Forecast | null;
  // Annual plans with a known term end only.
  renewal?: Renewal | null;
};

export type TopUpsPaused = {
  pausedAt: string;
  pausedBy: string;
  reason: string;
  rise: number;
  assignedFrom: number;
  assignedTo: number;
  since: string;
  words: string;
};

// ---- run-out forecast and renewal plan (issue 13) ------------------------------------------

export type Forecast = {
  enoughHistory: boolean;
  words: string;
  asOf: string | null;
  runsOutOn: string | null;
  mayRunOutOn: string | null;
  seatsNeededByThen: number | null;
  historyDays: number;
};

// The Reports route's forecast: with the expected path and its 80% band, a point a day from
// the day after asOf.
export type ForecastPoint = { day: string; expected: number; low: number; high: number };
export type ReportForecast = Forecast & { seatsTotal: number; horizonDays: number; points: ForecastPoint[] };

export type Renewal = {
  renewalType: string | null;
  label: string;
  renewsOn: string;
  daysLeft: number;
  recommendation: { seats: number; words: string };
  warning: { unusedSeats: number; yearlyCostMinor: number | null; currency: string | null; words: string } | null;
};

// ---- reclaimable seats (issue 13) ----------------------------------------------------------

export type HoldersStatus = "OK" | "NO_ACCESS" | "ERROR";
export type ReclaimEffect = "SAVES_MONEY" | "FREES_SEAT" | "NO_COST" | "UNKNOWN_PLAN";

// count null: the customer's user data could not be read (`notice` says why, generically).
export type LicenceReclaim = {
  status: HoldersStatus;
  notice: string | null;
  count: number | null;
  effect: ReclaimEffect | null;
  monthlyCostMinor: number | null;
  currency: string | null;
  words: string | null;
};

export type ReclaimSummary = {
  skuId: string;
  skuName: string;
  planName: string;
  effect: ReclaimEffect;
  count: number;
  byReason: Record<string, number>;
  perSeatMonthlyMinor: number | null;
  currency: string | null;
  monthlyCostMinor: number | null;
  savesPerMonthMinor: number | null;
  freesSeats: number;
  words: string;
};

export type ReclaimHolder = {
  email: string;
  userId: string;
  skuId: string;
  skuName: string;
  productId: string;
  reason: "SUSPENDED" | "NEVER_SIGNED_IN" | "INACTIVE";
  reasonLabel: string;
  lastSeen: string | null;
  activityAsOf: string | null;
  daysWithoutActivity: number | null;
  perSeatMonthlyMinor: number | null;
  currency: string | null;
  billing: string;
  action: { kind: "UNASSIGN" | "ADMIN_CONSOLE"; instruction: string; link: string };
};

export type Reclaim = {
  customerId: string;
  holdersStatus: HoldersStatus | null;
  notice: string | null;
  syncedAt: string | null;
  countedWithInactiveDays: number | null;
  inactiveDays: number;
  summaries: ReclaimSummary[];
  holders: ReclaimHolder[];
  nextCursor: string | null;
};

export type ReclaimPolicy = {
  customerId: string;
  inactiveDays: number;
  defaultInactiveDays: number;
  minInactiveDays: number;
  maxInactiveDays: number;
  changedBy: string | null;
  changedAt: string | null;
  countedWithInactiveDays: number | null;
  canChange: boolean;
};

export type SeatRequest = {
  id: string;
  status: "PENDING" | "CLAIMED" | "APPLIED" | "FAILED" | "SUPERSEDED" | "AWAITING_APPROVAL";
  source: string;
  seatsToAdd: number;
  totalBefore: number;
  totalAfter: number;
  createdAt: string;
  finishedAt: string | null;
  message: string;
};

// An add-on seat unassigned from the Reclaim page (POST …/reclaim/unassign), followed like a
// seat request.
export type Unassign = {
  id: string;
  status: SeatRequest["status"];
  skuId: string;
  email: string;
  userId: string;
  planName: string;
  requestedBy: string;
  createdAt: string;
  finishedAt: string | null;
  message: string;
};

// A renewal-type change (POST …/licences/{sku}/renewal), followed like a seat request.
export type RenewalChange = {
  id: string;
  status: SeatRequest["status"];
  renewalType: string;
  renewalLabel: string;
  renewalTypeBefore: string;
  requestedBy: string;
  createdAt: string;
  finishedAt: string | null;
  message: string;
};

// GET …/licences/{sku}/renewal: the renewal planner of one licence (annual plans only renew).
export type RenewalPlan = {
  skuId: string;
  skuName: string;
  planName: string;
  total: number;
  assigned: number;
  renewalType: string;
  renewalLabel: string;
  renewsOn: string | null;
  daysLeft: number | null;
  recommendedSeats: number | null;
  recommendation: string;
  warning: string;
  choices: { renewalType: string; label: string }[];
  inProgress: RenewalChange | null;
};

export type Catalogue = {
  plans: { planName: string; label: string; explanation: string; maxSeats: number | null }[];
  // prices: plan name → the customer's price per seat a month, null when none is set.
  skus: { skuId: string; skuName: string; prices: Record<string, PlanPrice>; owned?: boolean; heldOffline?: boolean }[];
};

export type LogEntry = {
  id: string;
  at: string;
  skuId: string;
  skuName: string;
  action: string;
  actionLabel: string;
  source: string;
  sourceLabel: string;
  actor: string;
  message: string;
  seatsBefore: number | null;
  seatsAfter: number | null;
};

export type Notification = {
  id: string;
  type: string;
  skuId: string;
  skuName: string;
  createdAt: string;
  status: string;
  recipients: string[];
  sentAt: string | null;
  error: string | null;
  refusedRecipients: string[];
  canResend: boolean;
  // A resend: the email it repeats and who asked for it.
  resendOf: string | null;
  resentBy: string | null;
  // Sent again since: the newest resend's id (only that one may be sent again).
  resentAs: string | null;
  // What SendGrid's Event Webhook said of each address (delivered, bounce, dropped, spamreport).
  recipientOutcomes?: { email: string; event: string; at: string; reason: string }[];
  // Its messages to alert channels (Chat, Slack, webhooks).
  channels?: { channelId: string; status: string; sentAt: string | null; error: string | null; batchSize: number }[];
};

export type NotificationPage = { notifications: Notification[]; nextCursor: string | null };

export type Preferences = {
  lowLicences: boolean;
  topUpApplied: boolean;
  topUpFailed: boolean;
  purchaseConfirmed: boolean;
  monthEndReport: boolean;
  renewalReminder: boolean;
  topUpsPaused: boolean;
  trialEnding: boolean;
  subscriptionStatus: boolean;
};

export type Recipient = {
  email: string;
  name: string;
  notifications: Preferences;
  addressProblem: string | null;
  // The latest email to this address bounced, was dropped or was reported as spam.
  bouncing?: { event: string; at: string; reason: string; notificationId: string } | null;
};

export type ChannelKind = "google_chat" | "slack" | "webhook";

export type Channel = {
  id: string;
  kind: ChannelKind;
  name: string;
  urlMasked: string;
  notifications: Preferences;
  // A webhook's signing secret: only in the answer that creates it.
  signingSecret?: string;
};

export type ReportPeriod = {
  period: string;
  from: string;
  to: string;
  assigned: number | null;
  total: number | null;
  averageAssigned?: number | null;
  averageTotal?: number | null;
  averageUtilisation?: number | null;
  licencesAdded?: number;
  topUps?: number; // automatic top-ups in the period
};

export type Report = {
  metrics: {
    availableLicences: number;
    averageUtilisation: number | null;
    totalTopUps: number;
    totalLicencesAdded: number;
    topUpsBySource?: Record<string, number>;
    licencesAddedBySource?: Record<string, number>;
    // Issue 11: totalTopUps is automatic top-ups; these are counted beside it.
    manualAdditions?: number;
    purchases?: number;
    outsideChanges?: number;
    counts?: { totalTopUps: string[]; totalLicencesAdded: string[] };
  };
  series: ReportPeriod[];
  topUps: {
    at: string;
    seatsAdded: number;
    seatsBefore: number | null;
    seatsAfter: number | null;
    source: string;
    triggeredBy: string;
    planName: string | null;
    billing: string;
  }[];
  timeZone?: string;
  granularity?: "day" | "week" | "month";
  forecast?: ReportForecast | null;
};

// Above these a manual addition or purchase waits for the reseller's approval.
export type SpendingLimit = {
  customerId: string;
  maxSeatsPerRequest: number;
  maxMonthlyCostMinor: number;
  currency: string;
  spentThisMonthMinor: number;
  updatedBy: string | null;
  updatedAt: string | null;
};

export type Approval = SeatRequest & {
  customerId: string;
  customerName: string;
  customerDomain: string;
  skuId: string;
  skuName: string;
  planName: string;
  kind: "change_seats" | "insert";
  requestedBy: string;
  estimatedMonthlyCostMinor: number | null;
  currency: string | null;
  expiresAt: string;
};

// The emergency stop: while paused nothing is bought for any customer.
export type Buying = {
  paused: boolean;
  reason: string;
  changedBy: string | null;
  changedAt: string | null;
};

// ---- downloads ---------------------------------------------------------------------------
// A file the API serves (CSV): fetched with the bearer token like every call (a plain link
// would go without it) and saved under the name the server gives in Content-Disposition.

export function filenameFrom(disposition: string | null, fallback: string): string {
  const match = /filename="?([^";]+)"?/i.exec(disposition ?? "");
  const name = match?.[1].trim().replace(/[/\\]/g, "-");
  return name || fallback;
}

export async function download(path: string, fallbackName: string): Promise<string> {
  // text/csv: the routes that answer JSON or CSV (the month-end report) choose by it.
  const headers: Record<string, string> = { Accept: "text/csv" };
  const token = await tokenSource();
  if (token) headers.Authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, { headers });
  } catch {
    throw new ApiError({
      type: "about:blank",
      title: "Network error",
      status: 0,
      detail: "Licence Manager cannot be reached. Check your connection and try again.",
    });
  }
  if (!response.ok) {
    const problem = (await response.json().catch(() => null)) as Problem | null;
    if (response.status === 401) onSignedOut();
    throw new ApiError(
      problem ?? { type: "about:blank", title: response.statusText, status: response.status, detail: "" },
    );
  }
  const name = filenameFrom(response.headers.get("Content-Disposition"), fallbackName);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  // After the click has handed the Blob to the download; revoking at once can cancel it.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return name;
}
// The month-end additions report (GET C/additions?month=YYYY-MM), for invoicing.
export type MonthAdditions = {
  customerId: string;
  customerDomain: string;
  month: string;
  timeZone: string;
  currency: string | null;
  additions: {
    at: string;
    skuId: string;
    skuName: string;
    seatsAdded: number;
    seatsBefore: number;
    seatsAfter: number;
    source: string;
    triggeredBy: string;
    planName: string;
    billing: string;
    estimatedCost: number | null;
  }[];
  totals: {
    skuId: string;
    skuName: string;
    seatsAdded: number;
    bySource: Record<string, number>;
    estimatedCost: number;
  }[];
};

// A customer's clock: reports, logs and month-end follow it, and every time is shown in it.
// The anomaly guard's thresholds: more than minUsers and more than minPercent of a licence's
// seats assigned within an hour pauses its automatic top-ups.
export type AnomalyPolicy = {
  customerId: string;
  minUsers: number;
  minPercent: number;
  maxMinUsers: number;
  changedBy: string;
  changedAt: string | null;
  canChange: boolean;
};

export type TimeZoneSetting = {
  customerId: string;
  timeZone: string;
  canChange: boolean;
};
