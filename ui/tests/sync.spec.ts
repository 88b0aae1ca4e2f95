import { afterEach, describe, expect, it } from "vitest";
import { mount } from "@vue/test-utils";
import { createMemoryHistory, createRouter } from "vue-router";
import { flush, global, mockShell } from "./helpers";
import { adapter } from "./fixtures";
import SyncView from "../src/views/SyncView.vue";
import { session } from "../src/session";
import type { DeliveryRow, SyncOverview } from "../src/bindings";

function router() {
  const stub = { template: "<div/>" };
  return createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: "/case/:no", name: "case", component: stub },
      { path: "/:p(.*)*", component: stub },
    ],
  });
}
// ECharts needs a real canvas; the chart has its own place in the e2e screenshots.
const plugins = () => ({ plugins: [...global.plugins, router()], stubs: { BacklogChart: true } });

const down = adapter("city-platform", {
  state: "degraded",
  last_error: "无法连接市政务服务平台：连接被拒绝",
  last_error_at: "2026-11-23T02:00:00.000Z",
  backlog: { pending: 120, sending: 0, sent: 0, acked: 30, failed: 5, quarantined: 1, discarded: 0 },
});
const poison: DeliveryRow = {
  adapter: "city-platform",
  outbox_id: 42,
  key: "k",
  kind: "case.file",
  case_no: "440399-W01-20261123-00007",
  case_seq: 1,
  state: "quarantined",
  attempts: 1,
  state_since: "2026-11-23T02:00:00.000Z",
  last_error: "对方拒收：字段 applicant.id 格式错误",
  last_error_detail: "E1002",
  last_error_class: "permanent",
};
function overview(over: Partial<SyncOverview> = {}): SyncOverview {
  return { adapters: [adapter("county-exchange", { kind: "file-drop", anchored_seq: 4812, anchored_at: "2026-12-03T09:30:02+08:00" }), down], running: false, last_pass_at: null, last_reports: [], interval_secs: 60, ...over };
}

afterEach(() => {
  document.body.innerHTML = "";
});

describe("SyncView", () => {
  it("shows each adapter's state, backlog and last error in words", async () => {
    session.actor = { id: "zhangwei", name: "张伟", roles: ["clerk"], departments: ["*"] };
    mockShell({ sync_overview: () => overview(), quarantine: () => [poison] });
    const w = mount(SyncView, { global: plugins() });
    await flush();
    const card = w.get("[data-adapter=city-platform]");
    expect(card.get("[data-test=adapter-state]").text()).toBe("连接异常");
    expect(card.get("[data-test=adapter-error]").text()).toContain("连接被拒绝");
    expect(card.text()).toContain("120");
    expect(w.get("[data-adapter=county-exchange]").text()).toContain("文件交换");
    // Which journal head the far side has signed for, or that it never has.
    expect(w.get("[data-adapter=county-exchange] [data-test=adapter-anchored]").text()).toContain("第 4812 号");
    expect(card.get("[data-test=adapter-anchored]").text()).toBe("尚未锚定");
    // A clerk sees the quarantine but not the admin's buttons.
    expect(w.get("[data-test=quarantine]").text()).toContain("applicant.id 格式错误");
    expect(w.find("[data-test=q-retry]").exists()).toBe(false);
    w.unmount();
  });

  it("an admin retries a quarantined item; 立即同步 wakes the worker", async () => {
    session.actor = { id: "admin", name: "管理员", roles: ["admin"], departments: ["*"] };
    let held = [poison];
    const resolved: unknown[] = [];
    const calls = mockShell({
      sync_overview: () => overview(),
      quarantine: () => held,
      resolve_quarantine: (a) => {
        resolved.push(a);
        held = [];
      },
      sync_now: () => null,
    });
    const w = mount(SyncView, { global: plugins(), attachTo: document.body });
    await flush();
    await w.get("[data-test=q-retry]").trigger("click");
    await flush();
    expect(resolved).toEqual([{ adapter: "city-platform", outbox_id: 42, retry: true, reason: null }]);
    expect(w.get("[data-test=quarantine]").text()).toContain("隔离区为空");
    await w.get("[data-test=sync-now]").trigger("click");
    await flush();
    expect(calls).toContain("sync_now");
    w.unmount();
  });

  it("says when no adapter is configured instead of showing an empty page", async () => {
    session.actor = { id: "zhangwei", name: "张伟", roles: ["clerk"], departments: ["*"] };
    mockShell({ sync_overview: () => overview({ adapters: [] }), quarantine: () => [] });
    const w = mount(SyncView, { global: plugins() });
    await flush();
    expect(w.get("[data-test=sync-none]").text()).toContain("还没有配置同步适配器");
    w.unmount();
  });
});
