import { QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { RouterProvider, createBrowserRouter } from "react-router";
import { setChangeListener } from "./api";
import { queryClient } from "./queries";
import { setNavigator } from "./router";
import { routes } from "./routes";
import "./styles.css";

const router = createBrowserRouter(routes);
setNavigator((to, replace) => void router.navigate(to, { replace }));
setChangeListener(() => void queryClient.invalidateQueries());

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  </StrictMode>,
);
