import { describe, expect, it } from "vitest";
import { mount } from "@vue/test-utils";
import { createMemoryHistory, createRouter } from "vue-router";
import { flush, global, mockShell } from "./helpers";
import App from "../src/App.vue";
import { session } from "../src/session";

describe("App", () => {
  it("Alt+digit switches tabs, and not while the screen is locked", async () => {
    const stub = { template: "<div/>" };
    const router = createRouter({
      history: createMemoryHistory(),
      routes: ["/work", "/intake", "/catalog", "/sync", "/settings"].map((path) => ({ path, component: stub })),
    });
    await router.push("/work");
    const actor = { id: "zhangwei", name: "张伟", roles: ["clerk"], departments: ["*"] };
    mockShell({
      app_info: () => ({ identity: { region: "440399", code: "W01", name: "示范窗口" }, today: "2026-11-23", data_dir: "/tmp", demo: true, version: "0", states: [], actions: [], roles: [] }),
      current_actor: () => actor,
    });
    const w = mount(App, { global: { plugins: [...global.plugins, router] } });
    await flush();
    window.dispatchEvent(new KeyboardEvent("keydown", { key: "4", altKey: true }));
    await flush();
    expect(router.currentRoute.value.path).toBe("/sync");
    session.locked = true;
    window.dispatchEvent(new KeyboardEvent("keydown", { key: "2", altKey: true }));
    await flush();
    expect(router.currentRoute.value.path).toBe("/sync");
    session.locked = false;
    window.dispatchEvent(new KeyboardEvent("keydown", { key: "2" }));
    await flush();
    expect(router.currentRoute.value.path).toBe("/sync");
    w.unmount();
  });
});
