// What a failed Google sign-in means, in plain words. Firebase's own messages read like
// "Firebase: Error (auth/popup-closed-by-user)."; people see these sentences instead, with the
// code kept only where support may need it.

const MESSAGES: Record<string, string> = {
  "auth/popup-closed-by-user": "The Google sign-in window was closed before signing in finished. Try again when you are ready.",
  "auth/cancelled-popup-request": "Another Google sign-in window was already open. Finish or close it, then try again.",
  "auth/popup-blocked": "Your browser blocked the Google sign-in window. Allow pop-ups for this site, then try again.",
  "auth/network-request-failed": "Google sign-in cannot be reached. Check your connection and try again.",
  "auth/timeout": "Google took too long to answer. Try again.",
  "auth/too-many-requests": "Too many sign-in attempts from this device. Wait a few minutes, then try again.",
  "auth/user-disabled": "This Google account has been switched off for sign-in. Ask your account manager.",
  "auth/account-exists-with-different-credential":
    "This email address already signs in another way. Sign in the way you did before.",
  "auth/user-token-expired": "Your sign-in has expired: please sign in again.",
  "auth/invalid-user-token": "Your sign-in has expired: please sign in again.",
  "auth/requires-recent-login": "Your sign-in has expired: please sign in again.",
  "auth/web-storage-unsupported":
    "Your browser is blocking what sign-in needs (cookies or storage, for example in a private window). Allow them for this site, then try again.",
  "auth/internal-error": "Google sign-in had a problem on its side. Try again in a moment.",
};

// Problems with how sign-in is set up, which the user cannot fix: say who can.
const SET_UP_WRONG = new Set([
  "auth/unauthorized-domain",
  "auth/operation-not-allowed",
  "auth/invalid-api-key",
  "auth/api-key-not-valid.-please-pass-a-valid-api-key.",
  "auth/app-not-authorized",
  "auth/invalid-oauth-client-id",
  "auth/configuration-not-found",
]);

export function authCode(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && code.startsWith("auth/")) return code;
  const message = error instanceof Error ? error.message : String(error ?? "");
  return /\((auth\/[\w.-]+)\)/.exec(message)?.[1] ?? null;
}

export function signInMessage(error: unknown): string {
  const code = authCode(error);
  if (code && MESSAGES[code]) return MESSAGES[code];
  if (code && SET_UP_WRONG.has(code)) {
    return `Google sign-in is not set up correctly for this address. Tell your reseller's support team (${code}).`;
  }
  if (code) {
    return `Signing in with Google did not work. Try again; if it keeps failing, tell your reseller's support team (${code}).`;
  }
  const message = error instanceof Error ? error.message : "";
  return message && !message.startsWith("Firebase:") ? message : "Signing in with Google did not work. Try again.";
}
