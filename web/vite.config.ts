import { defineConfig } from "vite";

// The api serves /api/** on 127.0.0.1:8080 under `make run`; `npm run dev` proxies to it.
export default defineConfig({
  oxc: { jsx: { runtime: "automatic" } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 900,
  },
  server: {
    proxy: { "/api": "http://127.0.0.1:8080" },
  },
});
