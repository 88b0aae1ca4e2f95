import { afterEach, describe, expect, it, vi } from "vitest";
import { mount } from "@vue/test-utils";
import { createMemoryHistory, createRouter } from "vue-router";
import { flush, global, mockShell } from "./helpers";
import { detail, summary } from "./fixtures";
import SupervisionView from "../src/views/SupervisionView.vue";
import RatingView from "../src/views/RatingView.vue";
import ComplaintsPanel from "../src/components/ComplaintsPanel.vue";
import { session } from "../src/session";
import type { Complaint, Dashboard, NewComplaint, NewRating, WorkOrder } from "../src/bindings";

// ECharts needs a real canvas; the charts are in the e2e screenshots. The numbers under them are
// what is tested here.
vi.mock("../src/chart", () => ({ useChart: () => undefined }));

function router() {
  const stub = { template: "<div/>" };
  const r = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: "/case/:no", name: "case", component: stub },
      { path: "/:p(.*)*", component: stub },
    ],
  });
  return r;
}

const order: WorkOrder = {
  order_id: "WO-0193",
  rating_id: "0193",
  case_no: "440305-W01-20261123-00002",
  department: "示范区市场监督管理局",
  real_name: true,
  state: "callback",
  opened_on: "2026-11-20",
  due_on: "2026-11-27",
  note: null,
  called_back: false,
  closed_on: null,
  outcome: null,
  steps: [],
  days_left: 2,
  light: "yellow",
};

function dashboard(): Dashboard {
  return {
    from: "2026-01-01",
    to: "2026-11-20",
    as_of: "2026-11-20",
    lights: [{ department: "示范区市场监督管理局", lights: { green: 4, yellow: 2, red: 3, paused: 1, unknown: 0 } }],
    weeks: [
      { week: "2026-11-09", received: 5, decided: 2, late: 1, hits: 0 },
      { week: "2026-11-16", received: 0, decided: 0, late: 0, hits: 0 },
    ],
    rules: [{ rule: "decision_overdue", count: 7 }, { rule: "repeated_supplement", count: 2 }],
    ratings: [
      { level: "very_satisfied", count: 3 },
      { level: "satisfied", count: 0 },
      { level: "fairly_satisfied", count: 0 },
      { level: "dissatisfied", count: 0 },
      { level: "very_dissatisfied", count: 1 },
    ],
    satisfaction_rate: 0.75,
    work_orders: [order],
  };
}

afterEach(() => {
  document.body.innerHTML = "";
});

describe("SupervisionView", () => {
  it("shows every figure and drills a number down to its cases", async () => {
    session.actor = { id: "admin", name: "系统管理员", roles: ["admin"], departments: ["*"] };
    const drills: unknown[] = [];
    mockShell({
      supervision_dashboard: () => dashboard(),
      work_orders: () => [order],
      supervision_drill: (a) => {
        drills.push(a);
        return { total: 1, cases: [summary(7, { light: "red" })] };
      },
    });
    const w = mount(SupervisionView, { global: { plugins: [...global.plugins, router()] }, attachTo: document.body });
    await flush();
    expect(w.get("[data-test=sup-lights] [data-dept=示范区市场监督管理局]").text()).toContain("3");
    expect(w.get("[data-test=satisfaction]").text()).toBe("满意率 75.0%");
    expect(w.get("[data-test=sup-rules]").text()).toContain("决定超期");
    // Only weeks with something in them are tabled.
    expect(w.findAll("[data-week]").map((r) => r.attributes("data-week"))).toEqual(["2026-11-09"]);
    expect(w.get("[data-test=orders]").text()).toContain("WO-0193");

    await w.get("[data-dept=示范区市场监督管理局] [data-drill=light-red]").trigger("click");
    await flush();
    expect(drills[0]).toEqual({
      from: "2026-01-01",
      to: expect.any(String),
      drill: { kind: "light", department: "示范区市场监督管理局", light: "red" },
    });
    expect(document.body.textContent).toContain("440305-W01-20261123-00007");

    await w.get("[data-week='2026-11-09'] [data-drill=week-late]").trigger("click");
    await flush();
    expect((drills[1] as { drill: unknown }).drill).toEqual({ kind: "decided", week: "2026-11-09", late_only: true });
    w.unmount();
  });

  it("a named 差评 waiting for 回访 offers only 回访; the core's refusal of the figures is shown", async () => {
    session.actor = { id: "lina", name: "李娜", roles: ["reviewer"], departments: ["示范区市场监督管理局"] };
    const steps: unknown[] = [];
    mockShell({
      supervision_dashboard: () => {
        throw { kind: "DepartmentDenied", message: "李娜 无权处理「全部部门（查看电子监察）」的事务" };
      },
      work_orders: () => [order],
      step_work_order: (a) => {
        steps.push(a);
        return { ...order, state: "review", called_back: true };
      },
    });
    const w = mount(SupervisionView, { global: { plugins: [...global.plugins, router()] }, attachTo: document.body });
    await flush();
    expect(w.get("[data-test=sup-error]").text()).toContain("全部部门");
    await w.get("[data-test=order-advance]").trigger("click");
    await flush();
    const choices = [...document.querySelectorAll("[data-test=step-choice] [data-step]")].map((e) => e.getAttribute("data-step"));
    expect(choices).toEqual(["callback"]);
    const note = document.querySelector("textarea[data-test=step-note]") as HTMLTextAreaElement;
    note.value = "已电话回访，申请人认可";
    note.dispatchEvent(new Event("input"));
    (document.querySelector("[data-test=step-confirm]") as HTMLElement).click();
    await flush();
    expect(steps).toEqual([{ order_id: "WO-0193", step: "callback", note: "已电话回访，申请人认可" }]);
    w.unmount();
  });
});

describe("RatingView", () => {
  it("records the applicant's choice and shows the work order a 差评 opened", async () => {
    session.actor = { id: "zhangwei", name: "张伟", roles: ["clerk"], departments: ["*"] };
    const sent: NewRating[] = [];
    mockShell({
      case_detail: () => detail({ summary: summary(2, { state: "completed", state_zh: "已办结", applicant_name: "王五" }) }),
      record_rating: (a) => {
        sent.push(a.rating as NewRating);
        return { rating_id: "0193", work_order: "WO-0193" };
      },
    });
    const w = mount(RatingView, { props: { no: "440305-W01-20261123-00002" }, global: { plugins: [...global.plugins, router()] } });
    await flush();
    expect(w.get("[data-test=rating-submit]").attributes("disabled")).toBeDefined();
    // Keys 1–5 choose; 4 = 不满意.
    window.dispatchEvent(new KeyboardEvent("keydown", { key: "4" }));
    await flush();
    expect(w.get("[data-level=dissatisfied]").classes()).toContain("chosen");
    await w.get("textarea[data-test=rating-comment]").setValue("等候时间太长");
    await w.get("[data-test=rating-submit]").trigger("click");
    await flush();
    expect(sent).toEqual([
      {
        case_no: "440305-W01-20261123-00002",
        channel: "window_device",
        level: "dissatisfied",
        indicators: {},
        comment: "等候时间太长",
        real_name: true,
        rater_name: "王五",
        rater_phone: null,
      },
    ]);
    expect(w.get("[data-test=rating-order]").text()).toContain("WO-0193");
    w.unmount();
  });
});

describe("ComplaintsPanel", () => {
  const complaint: Complaint = {
    complaint_id: "TS-440305-W01-000412",
    complainant: "赵六",
    phone: null,
    department: "示范区市场监督管理局",
    staff: "zhangwei",
    subject: "窗口态度差",
    cases: ["440305-W01-20261123-00002"],
    registered_on: "2026-11-18",
    due_on: "2026-11-19",
    assignee: null,
    answered_on: null,
    answer: null,
  };

  it("lists complaints with their due day and the case's work order; N registers one from the keyboard", async () => {
    session.actor = { id: "admin", name: "系统管理员", roles: ["admin"], departments: ["*"] };
    const registered: NewComplaint[] = [];
    let stored = [complaint];
    mockShell({
      complaints: () => stored,
      register_complaint: (a) => {
        const c = a.complaint as NewComplaint;
        registered.push(c);
        const made: Complaint = { ...complaint, complaint_id: "TS-440305-W01-000500", complainant: c.complainant, subject: c.subject, cases: [], staff: null, due_on: "2026-11-27" };
        stored = [...stored, made];
        return made;
      },
    });
    const w = mount(ComplaintsPanel, { props: { orders: [order] }, global: { plugins: [...global.plugins, router()] }, attachTo: document.body });
    await flush();
    const row = w.get("[data-test=complaints]");
    expect(row.text()).toContain("TS-440305-W01-000412");
    // The case it names has a 差评 work order waiting for 回访.
    expect(w.get("[data-test=complaint-order]").text()).toBe("差评工单 WO-0193（待回访）");
    expect(w.get("[data-test=complaint-state]").text()).toBe("待分派");

    window.dispatchEvent(new KeyboardEvent("keydown", { key: "n" }));
    await flush();
    const field = (sel: string) => document.querySelector(`textarea[data-test=${sel}], input[data-test=${sel}]`) as HTMLInputElement;
    expect(document.activeElement).toBe(field("c-complainant"));
    for (const [sel, v] of [["c-complainant", "钱七"], ["c-department", "示范区市场监督管理局"], ["c-subject", "材料被退回三次"]]) {
      field(sel).value = v;
      field(sel).dispatchEvent(new Event("input"));
    }
    await flush();
    window.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", ctrlKey: true }));
    await flush();
    expect(registered).toEqual([
      { complainant: "钱七", phone: null, department: "示范区市场监督管理局", staff: null, case_no: null, subject: "材料被退回三次" },
    ]);
    expect(w.text()).toContain("TS-440305-W01-000500");
    w.unmount();
  });

  it("answers a complaint, which closes it; a refusal shows the core's reason", async () => {
    session.actor = { id: "lina", name: "李娜", roles: ["reviewer"], departments: ["示范区市场监督管理局"] };
    const answers: unknown[] = [];
    let stored = [{ ...complaint, assignee: "lina" }];
    mockShell({
      complaints: () => stored,
      answer_complaint: (a) => {
        answers.push(a);
        stored = [{ ...stored[0], answered_on: "2026-11-20", answer: a.answer as string }];
        return stored[0];
      },
      link_complaint: () => {
        throw { kind: "DepartmentDenied", message: "李娜 无权处理「示范区交通运输局」的事务" };
      },
    });
    const w = mount(ComplaintsPanel, { props: { orders: [] }, global: { plugins: [...global.plugins, router()] }, attachTo: document.body });
    await flush();
    // Not an administrator: no 分派 button; the overdue day is marked.
    expect(w.find("[data-test=complaint-assign]").exists()).toBe(false);
    expect(w.get("[data-test=complaint-state]").text()).toBe("承办：lina");

    await w.get(".el-table__body [data-test=complaint-link]").trigger("click");
    await flush();
    const link = document.querySelector("input[data-test=c-link]") as HTMLInputElement;
    link.value = "440305-W01-20261123-00009";
    link.dispatchEvent(new Event("input"));
    (document.querySelector("[data-test=c-submit]") as HTMLElement).click();
    await flush();
    expect(document.body.textContent).toContain("无权处理「示范区交通运输局」");

    (document.querySelector("[data-test=complaint-dialog] .el-dialog__headerbtn") as HTMLElement | null)?.click();
    await flush();
    await w.get(".el-table__body [data-test=complaint-answer]").trigger("click");
    await flush();
    const text = document.querySelector("textarea[data-test=c-answer]") as HTMLTextAreaElement;
    text.value = "已核实并向投诉人致歉";
    text.dispatchEvent(new Event("input"));
    window.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", ctrlKey: true }));
    await flush();
    expect(answers).toEqual([{ complaint_id: "TS-440305-W01-000412", answer: "已核实并向投诉人致歉" }]);
    expect(w.get("[data-test=complaint-state]").text()).toBe("2026-11-20 已答复");
    w.unmount();
  });
});
