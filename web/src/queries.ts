import { QueryClient } from "@tanstack/react-query";
import { ApiError } from "./api";

// Retry only what may pass on a second try: the network, or the server having a bad moment.
// A 4xx is the answer (a validation error, a missing customer) and retrying it just delays it.
export function worthRetrying(failures: number, error: unknown): boolean {
  if (failures >= 2) return false;
  if (!(error instanceof ApiError)) return false;
  return error.status === 0 || error.status >= 500;
}

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      retry: worthRetrying,
      // Figures change when the sync runs (minutes): a few seconds of reuse between pages is
      // honest and saves the reads of going back and forth.
      staleTime: 5_000,
      refetchOnWindowFocus: false,
    },
  },
});
