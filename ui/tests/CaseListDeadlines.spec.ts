import { describe, expect, it } from "vitest";
import { mount } from "@vue/test-utils";
import CaseList from "../src/components/CaseList.vue";
import { summary } from "./fixtures";

// Issue 11: a case has two deadlines; once decided the delivery deadline (§44) runs.
describe("CaseList deadlines", () => {
  it("shows how late a decision was, not a growing overdue count, while the case waits for delivery", () => {
    const late = summary(1, {
      state: "approved",
      phase: "delivery",
      due_date: "2026-03-30",
      decided_on: "2026-04-08",
      decision_due: "2026-03-30",
      decision_late_days: 6,
      delivery_due: "2026-04-22",
      days_left: 5,
      light: "green",
    });
    const w = mount(CaseList, { props: { rows: [late], loading: false, hasMore: false } });
    expect(w.text()).toContain("决定超期6日");
    expect(w.text()).not.toContain("超期 ");
    expect(w.text()).toContain("2026-04-22");
    expect(w.find("[data-light=green]").exists()).toBe(true);
  });

  it("counts down to delivery for a case decided on time", () => {
    const onTime = summary(2, { phase: "delivery", decision_late_days: 0, delivery_due: "2026-03-18", days_left: 3 });
    const w = mount(CaseList, { props: { rows: [onTime], loading: false, hasMore: false } });
    expect(w.text()).toContain("剩 3 天");
    expect(w.text()).toContain("2026-03-18");
    expect(w.text()).not.toContain("决定超期");
  });
});
