import { defineConfig } from "vite";

// The page is served by Tauri from `ui/dist` (custom protocol); the dev server is optional.
export default defineConfig({
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // WebKitGTK 2.40+ on Linux, WebView2 on Windows, Safari 16+ on macOS.
    target: ["es2022", "safari16"],
  },
});
