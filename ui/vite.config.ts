import { svelte } from "@sveltejs/vite-plugin-svelte";
import { defineConfig } from "vitest/config";

// The page is served by Tauri from `ui/dist` (custom protocol); the dev server is optional.
export default defineConfig({
  plugins: [svelte()],
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // WebKitGTK 2.40+ on Linux, WebView2 on Windows, Safari 16+ on macOS.
    target: ["es2022", "safari16"],
    // ECharts is one chunk of its own: the windows share it from the cache.
    chunkSizeWarningLimit: 900,
  },
  test: {
    include: ["src/**/*.test.ts", "tests/**/*.test.ts"],
    // The browser tests start Chromium: one file at a time on a 2-core machine.
    fileParallelism: false,
    testTimeout: 60_000,
    // Local times are the user's: the unit tests fix the zone the browser tests give the page.
    env: { TZ: "Europe/Berlin" },
  },
});
