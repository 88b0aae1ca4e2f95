/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import vue from "@vitejs/plugin-vue";

// Everything is bundled (no CDN, no remote fonts): the app runs offline under a strict CSP.
export default defineConfig({
  plugins: [vue()],
  base: "./",
  clearScreen: false,
  build: {
    target: "safari15",
    outDir: "dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    // Two pages: the workstation, and the hall display window (a second Tauri window whose
    // capability grants only `hall_board`).
    // Paths relative to ui/, where the build runs.
    rollupOptions: { input: { main: "index.html", hall: "hall.html" } },
  },
  server: { port: 5173, strictPort: true },
  test: {
    environment: "happy-dom",
    include: ["tests/**/*.spec.ts"],
    // src/element.ts imports Element Plus's per-component CSS: let Vite (not Node) load it.
    server: { deps: { inline: [/element-plus/] } },
  },
});
