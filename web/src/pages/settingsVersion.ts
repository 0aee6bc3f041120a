// Two people editing one licence's settings: the page saves against the version it loaded, and
// a 409 carries the settings saved since. Pure logic, so Vitest covers it.
import type { Settings } from "../api";
import { when } from "../format";

// The settings someone else saved, from a 409's problem (undefined if it carries none).
export function theirSettings(problem: { status: number; current?: unknown }): Settings | undefined {
  if (problem.status !== 409) return undefined;
  const current = problem.current;
  return current && typeof current === "object" && "lowLicenceAlert" in current
    ? (current as Settings)
    : undefined;
}

export function conflictText(theirs: Settings): string {
  const who = theirs.updatedBy || "Someone else";
  const at = theirs.updatedAt ? ` at ${when(theirs.updatedAt)}` : "";
  return `${who} saved these settings${at}, after you opened them. Your changes are not saved.`;
}

// What a PUT sends: the form's settings and the version they were edited from.
export function withVersion(body: Record<string, unknown>, from: Settings | null): Record<string, unknown> {
  return { ...body, version: from?.version ?? null };
}
