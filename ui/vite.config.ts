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
  },
  server: { port: 5173, strictPort: true },
  test: {
    environment: "happy-dom",
    include: ["tests/**/*.spec.ts"],
    // src/element.ts imports Element Plus's per-component CSS: let Vite (not Node) load it.
    server: { deps: { inline: [/element-plus/] } },
  },
});
