import { describe, expect, it } from "vitest";
import { mount } from "@vue/test-utils";
import { flush, global, mockShell } from "./helpers";
import { adapter } from "./fixtures";
import SettingsView from "../src/views/SettingsView.vue";
import { session } from "../src/session";

describe("SettingsView adapters", () => {
  it("a process adapter is added only after the admin confirms the program it will run", async () => {
    session.actor = { id: "admin", name: "管理员", roles: ["admin"], departments: ["*"] };
    const calls: unknown[] = [];
    mockShell({
      status: () => ({ path: "/tmp/y.db", schema_version: 5, identity: { region: "440399", code: "W01", name: "示范窗口" }, journal_events: 1, cases: 0, open_cases: 0, catalog_version: 1, calendar_years: [2026], today: "2026-11-23" }),
      sync_overview: () => ({ adapters: [adapter("city-platform")], running: false, last_pass_at: null, last_reports: [], interval_secs: 60 }),
      backup_status: () => ({ last: null, age_days: null, warn_after_days: 7, overdue: true }),
      add_adapter: (a) => {
        calls.push(a.confirmed);
        if (!a.confirmed) throw { kind: "NeedsConfirm", message: "适配器“dept”将在每次同步时运行程序：python3 dept.py。确认这是信息中心提供的适配器吗？" };
        return "dept";
      },
    });
    const w = mount(SettingsView, { global, attachTo: document.body });
    await flush();
    const input = w.get("[data-test=adapter-file]").element as HTMLInputElement;
    Object.defineProperty(input, "files", { value: [new File(['name = "dept"\nkind = "process"\n'], "dept.toml")] });
    input.dispatchEvent(new Event("change"));
    await flush(20);
    expect(document.querySelector(".el-message-box")?.textContent).toContain("python3 dept.py");
    expect(calls).toEqual([false]);
    (document.querySelector(".el-message-box__btns .el-button--primary") as HTMLElement).click();
    await flush(20);
    expect(calls).toEqual([false, true]);
    w.unmount();
  });
});

describe("SettingsView backup", () => {
  const base = {
    status: () => ({ path: "/tmp/y.db", schema_version: 10, identity: { region: "440399", code: "W01", name: "示范窗口" }, journal_events: 1, cases: 0, open_cases: 0, catalog_version: 1, calendar_years: [2026], today: "2026-12-03" }),
    sync_overview: () => ({ adapters: [], running: false, last_pass_at: null, last_reports: [], interval_secs: 60 }),
  };
  const last = {
    action: "backup.made",
    at: "2026-11-20T17:45:12.000+08:00",
    by: "admin",
    name: "yc-backup-440399-W01-20261120T174512",
    head: { seq: 4812, hash: "ab".repeat(32) },
    manifest_sha256: "cd".repeat(32),
  };

  it("shows the last backup, and warns when it is older than the setting", async () => {
    session.actor = { id: "zhangwei", name: "张伟", roles: ["clerk"], departments: ["*"] };
    mockShell({ ...base, backup_status: () => ({ last, age_days: 13, warn_after_days: 7, overdue: true }) });
    const w = mount(SettingsView, { global });
    await flush();
    expect(w.get("[data-test=backup-last]").text()).toContain("2026-11-20 17:45");
    expect(w.get("[data-test=backup-last]").text()).toContain("第 4812 号");
    expect(w.get("[data-test=backup-overdue]").text()).toContain("13 天前");
    w.unmount();
  });

  it("a recent backup raises no warning; none at all does", async () => {
    mockShell({ ...base, backup_status: () => ({ last, age_days: 2, warn_after_days: 7, overdue: false }) });
    let w = mount(SettingsView, { global });
    await flush();
    expect(w.find("[data-test=backup-overdue]").exists()).toBe(false);
    w.unmount();
    mockShell({ ...base, backup_status: () => ({ last: null, age_days: null, warn_after_days: 7, overdue: true }) });
    w = mount(SettingsView, { global });
    await flush();
    expect(w.get("[data-test=backup-overdue]").text()).toContain("尚无备份");
    expect(w.find("[data-test=backup-last]").exists()).toBe(false);
    w.unmount();
  });
});
