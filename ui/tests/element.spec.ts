import { describe, expect, it } from "vitest";
import { createApp } from "vue";
import { installElement } from "../src/element";

describe("installElement", () => {
  it("registers every Element Plus tag the templates use, children included", () => {
    const app = createApp({});
    installElement(app);
    const registered = Object.keys(app._context.components);
    // Tags used in src/ (kebab-case) → component names.
    const files = import.meta.glob("../src/**/*.vue", { query: "?raw", import: "default", eager: true }) as Record<string, string>;
    const used = new Set<string>();
    for (const text of Object.values(files)) {
      for (const m of text.matchAll(/<el-([a-z-]+)/g)) {
        used.add("El" + m[1].split("-").map((w) => w[0].toUpperCase() + w.slice(1)).join(""));
      }
    }
    expect(used.size).toBeGreaterThan(10);
    for (const name of used) expect(registered, name).toContain(name);
  });
});
