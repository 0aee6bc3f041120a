import { createContext, useContext } from "react";
import type { Me } from "./api";

export type Session = {
  me: Me;
  customerId: string;
  canChange: boolean;
};

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside the signed-in app");
  return session;
}

// Base path of the chosen customer's API routes.
export function useCustomerPath(): string {
  return `/customers/${encodeURIComponent(useSession().customerId)}`;
}
