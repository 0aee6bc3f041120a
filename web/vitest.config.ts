import { defineConfig } from "vitest/config";

// Unit tests of the dashboard's own logic (formatting, the API client, routing), in jsdom.
export default defineConfig({
  oxc: { jsx: { runtime: "automatic" } },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
  },
});
