// Signing in. GET /api/v1/session says how: locally, the dev sign-in (POST /api/v1/session with
// a demo user's email gives a token); in production, "Sign in with Google" through Firebase
// Authentication (Identity Platform), whose ID token the api verifies on every request.
import { call, type Me } from "./api";
import { signInMessage } from "./signInErrors";

export type SessionInfo = {
  mode: "local" | "firebase";
  demoUsers?: { email: string; name: string; roleLabel: string }[];
  firebase?: { apiKey: string; authDomain: string; projectId: string };
};

const LOCAL_TOKEN = "licence-manager.token";

type FirebaseAuth = {
  currentUser: { getIdToken(): Promise<string> } | null;
};
let firebaseAuth: FirebaseAuth | null = null;
let firebaseSignOut: (() => Promise<void>) | null = null;

export async function sessionInfo(): Promise<SessionInfo> {
  return call<SessionInfo>("/session");
}

export async function currentToken(): Promise<string | null> {
  if (firebaseAuth?.currentUser) {
    try {
      return await firebaseAuth.currentUser.getIdToken();
    } catch (error) {
      throw new Error(signInMessage(error), { cause: error }); // e.g. the network, or an expired sign-in
    }
  }
  return sessionStorage.getItem(LOCAL_TOKEN);
}

export async function signInLocally(email: string): Promise<Me> {
  const session = await call<{ token: string; user: Me }>("/session", {
    method: "POST",
    body: { email },
  });
  sessionStorage.setItem(LOCAL_TOKEN, session.token);
  return session.user;
}

// Loaded only in production: the Firebase SDK is not part of the local bundle's first load.
export async function startFirebase(config: NonNullable<SessionInfo["firebase"]>): Promise<boolean> {
  const { initializeApp } = await import("firebase/app");
  const auth = await import("firebase/auth");
  const app = initializeApp(config);
  const instance = auth.getAuth(app);
  firebaseAuth = instance;
  firebaseSignOut = () => auth.signOut(instance);
  await instance.authStateReady();
  return instance.currentUser !== null;
}

export async function signInWithGoogle(): Promise<void> {
  const auth = await import("firebase/auth");
  if (!firebaseAuth) throw new Error("Sign-in is not ready yet.");
  const provider = new auth.GoogleAuthProvider();
  provider.setCustomParameters({ prompt: "select_account" });
  try {
    await auth.signInWithPopup(firebaseAuth as unknown as import("firebase/auth").Auth, provider);
  } catch (error) {
    throw new Error(signInMessage(error), { cause: error }); // never "Firebase: Error (auth/...)"
  }
}

export async function signOut(): Promise<void> {
  sessionStorage.removeItem(LOCAL_TOKEN);
  if (firebaseSignOut) await firebaseSignOut();
}
