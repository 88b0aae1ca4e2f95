import { describe, expect, it } from "vitest";
import { mount } from "@vue/test-utils";
import { createMemoryHistory, createRouter } from "vue-router";
import { flush, global, mockShell } from "./helpers";
import ThemeIntakeView from "../src/views/ThemeIntakeView.vue";
import ThemeBoardView from "../src/views/ThemeBoardView.vue";
import ThemesView from "../src/views/ThemesView.vue";
import { session } from "../src/session";
import type { BranchView, SupplementNotice, ThemeBoard, ThemeEntry, ThemeRow } from "../src/bindings";

function router() {
  return createRouter({ history: createMemoryHistory(), routes: [{ path: "/:p(.*)*", name: "any", component: { template: "<div/>" } }, { path: "/case/:no", name: "case", component: { template: "<div/>" } }, { path: "/theme/:no", name: "theme", component: { template: "<div/>" } }, { path: "/themes", name: "themes", component: { template: "<div/>" } }, { path: "/themes/new", name: "theme-intake", component: { template: "<div/>" } }] });
}

const kaiban: ThemeEntry = {
  code: "ZT-QYKB-001",
  name: "企业开办（一网通办）",
  lead_department: "示范区市场监督管理局",
  overall_limit_days: 1,
  description: null,
  branches: [
    { item_code: "SZ", item_name: "企业设立登记", department: "示范区市场监督管理局", kind: "immediate", promised_days: 0, required: true, after: [] },
    { item_code: "GZ", item_name: "公章刻制备案", department: "示范区公安分局", kind: "immediate", promised_days: 0, required: true, after: ["企业设立登记"] },
    { item_code: "PS", item_name: "排水许可", department: "示范区水务局", kind: "promised", promised_days: 5, required: false, after: [] },
  ],
  materials: [
    { key: "m1", name: "法定代表人居民身份证", required: true, reusable: true, originals: 1, copies: 1, items: ["SZ", "GZ"] },
    { key: "m2", name: "公司章程", required: true, reusable: false, originals: 1, copies: 0, items: ["SZ"] },
    { key: "m9", name: "排水方案", required: true, reusable: false, originals: 1, copies: 0, items: ["PS"] },
  ],
};

const ENTER = (ctrl = false) => new KeyboardEvent("keydown", { key: "Enter", ctrlKey: ctrl, bubbles: true });

describe("ThemeIntakeView", () => {
  it("files a theme by keyboard with each shared material asked once, and the receipt lists every branch", async () => {
    session.actor = { id: "zhangwei", name: "张伟", roles: ["clerk"], departments: ["*"] };
    let sent: Record<string, unknown> | null = null;
    mockShell({
      catalog_themes: () => [kaiban],
      check_id: (a) => ({ kind: "CreditCode", normalized: a.number, valid: true, error: null, overridable: false, birth_date: null }),
      reusable_materials: () => [{ case_no: "440305-W01-20261101-00007", name: "法定代表人居民身份证", material_id: "m1", filed_on: "2026-11-01", item_name: "x" }],
      new_theme: (a) => {
        sent = a.request as Record<string, unknown>;
        return {
          theme_no: "440305-W01-20261123-00010", theme_code: kaiban.code, theme_name: kaiban.name, lead_department: kaiban.lead_department,
          applicant_id: "91440300MA5FAB7C1X", applicant_name: "示范区甲公司", filed_on: "2026-11-23", overall_limit_days: 1,
          due_date: "2026-11-24", deadline_note: null,
          branches: [
            { case_no: "440305-W01-20261123-00011", item_code: "SZ", item_name: "企业设立登记", department: "示范区市场监督管理局", required: true, after: [] },
            { case_no: "440305-W01-20261123-00012", item_code: "GZ", item_name: "公章刻制备案", department: "示范区公安分局", required: true, after: ["440305-W01-20261123-00011"] },
          ],
          materials: [
            { key: "m1", name: "法定代表人居民身份证", required: true, provided: true, reused_from: "440305-W01-20261101-00007", items: ["SZ", "GZ"] },
            { key: "m2", name: "公司章程", required: true, provided: false, reused_from: null, items: ["SZ"] },
          ],
        };
      },
    });
    const w = mount(ThemeIntakeView, { global: { plugins: [...global.plugins, router()] }, attachTo: document.body });
    await flush();
    await w.get("[data-test=theme-search]").setValue("qykb");
    await flush();
    expect(w.findAll("[data-theme-code]").length).toBe(1);
    window.dispatchEvent(ENTER());
    await flush();
    await w.get("[data-test=theme-applicant-id]").setValue("91440300MA5FAB7C1X");
    await w.get("[data-test=theme-applicant-name]").setValue("示范区甲公司");
    await flush();
    window.dispatchEvent(ENTER());
    await flush();
    // The optional 排水许可 is not filed: its material is not asked; the shared ID card once.
    await w.get("[data-branch=PS] input").setValue(false);
    await flush();
    expect(w.findAll("[data-material]").map((e) => e.attributes("data-material"))).toEqual(["m1", "m2"]);
    expect(w.get("[data-test=theme-materials]").text()).toContain("用于：企业设立登记、公章刻制备案");
    // Not handed in: 公司章程; the ID card reused from an earlier case.
    await w.get("[data-material=m2] input").setValue(false);
    (w.vm as unknown as { f: { reuse: Record<string, string> } }).f.reuse.m1 = "440305-W01-20261101-00007";
    await flush();
    window.dispatchEvent(ENTER(true));
    await flush();
    expect(w.get("[data-test=theme-missing]").text()).toContain("公司章程");
    expect(w.findAll("[data-test=confirm-branch]").length).toBe(2);
    window.dispatchEvent(ENTER(true));
    await flush();
    expect(sent).toMatchObject({ theme_code: "ZT-QYKB-001", provided: [], reuse: [["m1", "440305-W01-20261101-00007"]], skip: ["PS"] });
    expect(w.get("[data-test=filed-theme-no]").text()).toBe("440305-W01-20261123-00010");
    expect(w.findAll("[data-test=receipt-branch]").map((r) => r.text())).toEqual([
      expect.stringContaining("440305-W01-20261123-00011"),
      expect.stringContaining("待「企业设立登记」准予后办理"),
    ]);
    expect(w.get("[data-test=receipt-due]").text()).toContain("2026-11-24 前全部办结");
    expect(w.findAll("[data-test=receipt-material]")[0].text()).toContain("复用办件 440305-W01-20261101-00007");
    w.unmount();
  });
});

function branch(i: number, over: Partial<BranchView> = {}): BranchView {
  return {
    case_no: `440305-W01-20261123-0001${i}`, item_code: `I${i}`, item_name: `事项${i}`, department: `部门${i}`, required: true,
    state: "accepted", state_zh: "已受理", outcome: null, due_date: "2026-11-24", days_left: 1, light: "yellow", paused: false,
    waiting_on: [], refusal: null, ...over,
  };
}

const board: ThemeBoard = {
  theme_no: "440305-W01-20261123-00010", theme_code: "ZT-QYKB-001", name: "企业开办（一网通办）", lead_department: "部门1",
  applicant_id: "91440300MA5FAB7C1X", applicant_name: "示范区甲公司", filed_on: "2026-11-20", limit_days: 1, due_date: "2026-11-21",
  deadline_note: null, days_left: -2, light: "red", decided_on: null, late_days: null, state: "in_progress", state_zh: "并联办理中", outcome: null, required: 3, required_settled: 1,
  branches: [
    branch(1, { state: "denied", state_zh: "不予许可", outcome: "denied", light: null, days_left: null,
      refusal: { case_no: "440305-W01-20261123-00011", item_name: "事项1", department: "部门1", action: "deny", action_zh: "不予许可", reason: "名称与已登记企业相同", legal_basis: "《企业名称登记管理规定》第十一条", at: "2026-11-21T02:00:00.000Z" } }),
    branch(2, { state: "supplementing", state_zh: "补正中", paused: true, light: null }),
    branch(3, { waiting_on: ["事项1"] }),
  ],
  refusals: [],
};
board.refusals = [board.branches[0].refusal!];

const notice: SupplementNotice = {
  theme_no: board.theme_no, theme_name: board.name, applicant_id: board.applicant_id, applicant_name: board.applicant_name, issued_on: "2026-11-23",
  branches: [
    { case_no: "440305-W01-20261123-00012", item_name: "事项2", department: "部门2", requested_on: "2026-11-22", opinion: "身份证复印件不清晰", materials: ["法定代表人居民身份证"] },
    { case_no: "440305-W01-20261123-00013", item_name: "事项3", department: "部门3", requested_on: "2026-11-22", opinion: null, materials: ["法定代表人居民身份证", "章程"] },
  ],
  materials: [{ name: "法定代表人居民身份证", items: ["事项2", "事项3"] }, { name: "章程", items: ["事项3"] }],
};

describe("ThemeBoardView", () => {
  it("shows every branch as a column with its light, a refusal with its reason, and the overall light", async () => {
    session.actor = { id: "lina", name: "李娜", roles: ["reviewer"], departments: ["*"] };
    mockShell({ theme_board: () => board });
    const w = mount(ThemeBoardView, { props: { no: board.theme_no }, global: { plugins: [...global.plugins, router()] } });
    await flush();
    const cols = w.findAll("[data-test=branch-col]");
    expect(cols.length).toBe(3);
    expect(cols.map((c) => c.attributes("data-light"))).toEqual(["none", "none", "yellow"]);
    expect(cols[0].get("[data-test=branch-refusal]").text()).toContain("名称与已登记企业相同");
    expect(cols[0].text()).toContain("《企业名称登记管理规定》第十一条");
    expect(cols[2].get("[data-test=branch-waiting]").text()).toContain("待「事项1」准予");
    expect(w.get("[data-test=board-overall]").attributes("data-light")).toBe("red");
    expect(w.get("[data-test=board-left]").text()).toBe("超期 2 个工作日");
    expect(w.get("[data-test=board-settled]").text()).toContain("1/3");
    expect(w.get("[data-test=board-refusals]").text()).toContain("事项1");
    w.unmount();
  });

  it("N opens the combined notice, each material once; handing them in resumes the branches", async () => {
    session.actor = { id: "zhangwei", name: "张伟", roles: ["clerk"], departments: ["*"] };
    let handed: unknown = null;
    const calls = mockShell({
      theme_board: () => board,
      theme_notice: () => notice,
      supplement_theme: (a) => {
        handed = a.materials;
        return ["440305-W01-20261123-00012", "440305-W01-20261123-00013"];
      },
    });
    const w = mount(ThemeBoardView, { props: { no: board.theme_no }, global: { plugins: [...global.plugins, router()] }, attachTo: document.body });
    await flush();
    window.dispatchEvent(new KeyboardEvent("keydown", { key: "n", bubbles: true }));
    await flush(10);
    expect(calls).toContain("theme_notice");
    const mats = [...document.querySelectorAll("[data-test=notice-material]")].map((e) => e.textContent);
    expect(mats).toEqual([expect.stringContaining("法定代表人居民身份证 —— 用于：事项2、事项3"), expect.stringContaining("章程")]);
    expect(document.querySelectorAll("[data-test=notice-branch]").length).toBe(2);
    expect(document.querySelector("[data-test=theme-notice]")?.textContent).toContain("身份证复印件不清晰");
    for (const name of ["法定代表人居民身份证", "章程"]) {
      (document.querySelector(`[data-handin="${name}"] input`) as HTMLInputElement).click();
      await flush();
    }
    await flush();
    (document.querySelector("[data-test=notice-handin]") as HTMLElement).click();
    await flush(10);
    expect(handed).toEqual(["法定代表人居民身份证", "章程"]);
    w.unmount();
  });
});

describe("ThemeBoardView delivery", () => {
  it("a decided theme is delivered together and shows how late it was decided", async () => {
    session.actor = { id: "zhangwei", name: "张伟", roles: ["clerk"], departments: ["*"] };
    const decided: ThemeBoard = {
      ...board, state: "decided", outcome: "not_approved", light: null, days_left: null, decided_on: "2026-11-23", late_days: 2,
      required_settled: 3, branches: board.branches.map((b) => ({ ...b, state: "approved", outcome: "approved", waiting_on: [], light: null })),
    };
    let asked: unknown = null;
    mockShell({ theme_board: () => decided, deliver_theme: (a) => ((asked = a), ["x1", "x2", "x3"]) });
    const w = mount(ThemeBoardView, { props: { no: board.theme_no }, global: { plugins: [...global.plugins, router()] } });
    await flush();
    expect(w.get("[data-test=board-decided]").text()).toBe("2026-11-23 全部决定，超期 2 个工作日");
    await w.get("[data-test=deliver-detail]").setValue("窗口领取");
    await w.get("[data-test=board-deliver]").trigger("click");
    await flush();
    expect(asked).toEqual({ theme_no: board.theme_no, detail: "窗口领取" });
    w.unmount();
  });
});

describe("ThemesView", () => {
  it("lists the themes with their overall light and opens the board with Enter", async () => {
    session.actor = { id: "zhangwei", name: "张伟", roles: ["clerk"], departments: ["*"] };
    const row: ThemeRow = { theme_no: board.theme_no, name: board.name, lead_department: "部门1", applicant_name: "示范区甲公司", filed_on: "2026-11-20", due_date: "2026-11-21", state: "in_progress", state_zh: "并联办理中", days_left: -2, light: "red", branches: 3, settled: 1 };
    let asked: unknown = null;
    mockShell({ list_themes: (a) => ((asked = a), [row]) });
    const r = router();
    const w = mount(ThemesView, { global: { plugins: [...global.plugins, r] } });
    await flush();
    expect(asked).toEqual({ open_only: true, limit: 200 });
    expect(w.get("[data-test=theme-row]").text()).toContain("1/3");
    expect(w.get("[data-test=theme-row] [data-light]").attributes("data-light")).toBe("red");
    window.dispatchEvent(ENTER());
    await flush();
    expect(r.currentRoute.value.path).toBe(`/theme/${board.theme_no}`);
    w.unmount();
  });
});
