import { describe, expect, it } from "vitest";
import { mount } from "@vue/test-utils";
import { createMemoryHistory, createRouter } from "vue-router";
import { flush, global as base, mockShell } from "./helpers";
import { vFocus } from "../src/focus";
import FirstRunView from "../src/views/FirstRunView.vue";
import App from "../src/App.vue";
import LoginView from "../src/views/LoginView.vue";
import { session } from "../src/session";

// As main.ts registers it: each step's first field (and the last page's button) takes the focus.
const global = { ...base, directives: { focus: vFocus } };
const info = { data_dir: "/home/yc/.local/share/yichuang", departments: ["*", "示范区民政局", "示范区税务局"], admin_id: "admin", password_min_chars: 8, version: "0.1.0" };
const done = (over: Record<string, unknown> = {}) => ({
  label: "440305-W21",
  key_fingerprint: "12".repeat(32),
  request_sha256: "ef".repeat(32),
  recovery_key: "ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567",
  exported: null,
  enrolled: null,
  problem: null,
  ...over,
});

async function fillWorkstation(w: ReturnType<typeof mount>) {
  await w.get("input[data-test=fr-region]").setValue("440305");
  await w.get("input[data-test=fr-code]").setValue("W21");
  await w.get("input[data-test=fr-name]").setValue("某镇便民服务中心");
  await w.get("input[data-test=fr-city]").setValue("https://zwfw.example.gov.cn");
  await w.get("[data-test=fr-step-workstation]").trigger("submit");
  await flush();
}

async function fillAdmin(w: ReturnType<typeof mount>, pw: string, again = pw) {
  await w.get("input[data-test=fr-password]").setValue(pw);
  await w.get("input[data-test=fr-password2]").setValue(again);
  await w.get("[data-test=fr-step-admin]").trigger("submit");
  await flush(10);
}

describe("FirstRunView", () => {
  it("walks workstation → administrator → training mode for now → recovery key, the core deciding every rule", async () => {
    const checked: unknown[] = [];
    const made: unknown[] = [];
    mockShell({
      first_run_check: (a) => {
        checked.push(a.setup);
        if ((a.setup as { admin_password: string }).admin_password === "12345678") {
          throw { kind: "Invalid", message: "输入无效：密码须混用至少两类字符（字母、数字、符号）" };
        }
        return null;
      },
      first_run: (a) => {
        made.push(a);
        return done();
      },
    });
    const w = mount(FirstRunView, { global, props: { info }, attachTo: document.body });
    await flush();
    expect(w.text()).toContain(info.data_dir);
    expect(document.activeElement?.getAttribute("data-test")).toBe("fr-region");
    // The departments list starts with the comprehensive window, chosen by default.
    expect(w.get("[data-test=fr-departments]").text()).toContain("综合窗口");
    await fillWorkstation(w);
    expect(w.get("[data-test=fr-admin-id]").text()).toBe("admin");

    // Typed twice differently: said at once, nothing asked of the shell.
    await fillAdmin(w, "first-admin-1", "first-admin-2");
    expect(w.get("[data-test=fr-error]").text()).toContain("不一致");
    expect(checked).toEqual([]);
    // The core's strength rule, shown as it says it; the step stays.
    await fillAdmin(w, "12345678");
    expect(w.get("[data-test=fr-error]").text()).toContain("两类");
    expect(w.find("[data-test=fr-step-admin]").exists()).toBe(true);
    await fillAdmin(w, "first-admin-1");
    expect(w.find("[data-test=fr-step-enroll]").exists()).toBe(true);
    expect(checked.at(-1)).toEqual({
      region: "440305",
      workstation: "W21",
      name: "某镇便民服务中心",
      departments: ["*"],
      city_url: "https://zwfw.example.gov.cn",
      admin_password: "first-admin-1",
    });

    // Esc goes back a step, Enter (submit) forward again.
    window.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape" }));
    await flush();
    expect(w.find("[data-test=fr-step-admin]").exists()).toBe(true);
    await w.get("[data-test=fr-step-admin]").trigger("submit");
    await flush(10);

    expect(w.find("[data-test=fr-later-hint]").exists()).toBe(true);
    await w.get("[data-test=fr-step-enroll]").trigger("submit");
    await flush(10);
    expect(made).toEqual([{ setup: checked.at(-1), then: { how: "later" } }]);
    expect(w.get("[data-test=fr-outcome]").text()).toContain("培训模式");
    expect(w.get("[data-test=fr-recovery]").text()).toBe("ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567");
    // The last page's button has the focus: Enter goes to the login screen.
    expect(document.activeElement?.getAttribute("data-test")).toBe("fr-to-login");
    await w.get("[data-test=fr-to-login]").trigger("click");
    expect(w.emitted("done")).toHaveLength(1);
    w.unmount();
  });

  it("enrol now: sends through the city platform with the fingerprint, or exports to a folder, and says when it failed", async () => {
    const made: { then: Record<string, unknown> }[] = [];
    let answer = done({ enrolled: { issuer: "某市政务服务数据管理局", serial: 1, to: "", issued_at: "", issuer_fingerprint: "", changes: ["导入事项目录 2026.11（36 个事项），新收办件按新版本"], refusal: null } });
    mockShell({
      first_run_check: () => null,
      first_run: (a) => {
        made.push(a as { then: Record<string, unknown> });
        return answer;
      },
    });
    const w = mount(FirstRunView, { global, props: { info } });
    await flush();
    await fillWorkstation(w);
    await fillAdmin(w, "first-admin-1");
    await w.get("[data-test=fr-how-send] input").setValue(true);
    await flush();
    await w.get("input[data-test=fr-fingerprint]").setValue("cd".repeat(32));
    await w.get("[data-test=fr-step-enroll]").trigger("submit");
    await flush(10);
    expect(made[0].then).toEqual({ how: "send", issuer_fingerprint: "cd".repeat(32), token: null });
    expect(w.get("[data-test=fr-outcome]").text()).toContain("已向市级平台注册");
    expect(w.get("[data-test=fr-done]").text()).toContain("导入事项目录");
    w.unmount();

    answer = done({ problem: "无法写入 /media/stick：只读文件系统" });
    const v = mount(FirstRunView, { global, props: { info } });
    await flush();
    await fillWorkstation(v);
    await fillAdmin(v, "first-admin-1");
    await v.get("[data-test=fr-how-export] input").setValue(true);
    await flush();
    await v.get("input[data-test=fr-folder]").setValue("/media/stick");
    await v.get("[data-test=fr-step-enroll]").trigger("submit");
    await flush(10);
    expect(made[1].then).toEqual({ how: "export", folder: "/media/stick" });
    expect(v.get("[data-test=fr-problem]").text()).toContain("只读文件系统");
    v.unmount();
  });

  it("speaks English when asked", async () => {
    mockShell({});
    const w = mount(FirstRunView, { global, props: { info } });
    const { setLocale } = await import("../src/i18n");
    setLocale("en");
    await flush();
    expect(w.text()).toContain("First-run setup");
    expect(w.get("[data-test=fr-departments]").text()).toContain("Comprehensive window");
    setLocale("zh-CN");
    w.unmount();
  });
});

describe("App on a machine without a workstation", () => {
  it("opens the wizard instead of the login, the login after it, and then the training strip", async () => {
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: "/work", component: { template: "<div/>" } }] });
    await router.push("/work");
    let made = false;
    const calls = mockShell({
      first_run_info: () => (made ? null : info),
      app_info: () => ({ identity: { region: "440305", code: "W21", name: "某镇便民服务中心" }, today: "2026-12-03", data_dir: info.data_dir, demo: false, version: "0", states: [], actions: [], roles: [] }),
      current_actor: () => null,
      list_staff: () => [{ id: "admin", name: "系统管理员", roles_zh: [] }],
      first_run_check: () => null,
      first_run: () => {
        made = true;
        return done();
      },
      login: () => ({ id: "admin", name: "系统管理员", roles: ["admin"], departments: ["*"] }),
      enrollment_status: () => ({ state: "training", issuer: null, issuer_fingerprint: null, enrolled_at: null, packages: 0, serial: null, pending_request: "ef".repeat(32), pending_city_url: null, workstation_key: "ab".repeat(32), workstation_key_fingerprint: "12".repeat(32) }),
    });
    session.actor = null;
    session.training = false;
    session.info = null;
    const w = mount(App, { global: { plugins: [...global.plugins, router] } });
    await flush(10);
    expect(w.find("[data-test=first-run]").exists()).toBe(true);
    expect(w.find("[data-test=login-submit]").exists()).toBe(false);
    expect(calls).not.toContain("app_info");
    await fillWorkstation(w);
    await fillAdmin(w, "first-admin-1");
    await w.get("[data-test=fr-step-enroll]").trigger("submit");
    await flush(10);
    await w.get("[data-test=fr-to-login]").trigger("click");
    await flush(10);
    expect(w.find("[data-test=first-run]").exists()).toBe(false);
    expect(w.find("[data-test=login-submit]").exists()).toBe(true);
    expect((session.info as { identity: { code: string } } | null)?.identity.code).toBe("W21");

    // Logging in shows the training strip (the login screen's "done" reaches the app).
    const login = w.findComponent(LoginView);
    (login.vm as unknown as { account: string }).account = "admin";
    await login.get("input[data-test=login-password]").setValue("first-admin-1");
    await login.get("form").trigger("submit");
    await flush(10);
    expect(w.get("[data-test=training-banner]").text()).toContain("样本");
    w.unmount();
    session.actor = null;
    session.training = false;
  });
});
