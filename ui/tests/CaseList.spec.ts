import { describe, expect, it } from "vitest";
import { mount } from "@vue/test-utils";
import CaseList from "../src/components/CaseList.vue";
import { summary } from "./fixtures";

describe("CaseList", () => {
  it("renders only the visible rows of a long list (virtualised)", () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => summary(i));
    const w = mount(CaseList, { props: { rows, loading: false, hasMore: false } });
    const rendered = w.findAll("[data-test=case-row]").length;
    expect(rendered).toBeGreaterThan(0);
    expect(rendered).toBeLessThan(60);
  });

  it("↓ then Enter opens the second case", async () => {
    const rows = [summary(1), summary(2), summary(3)];
    const w = mount(CaseList, { props: { rows, loading: false, hasMore: false } });
    const grid = w.get("[data-test=case-list]");
    await grid.trigger("keydown", { key: "ArrowDown" });
    await grid.trigger("keydown", { key: "Enter" });
    expect(w.emitted("open")?.[0]).toEqual([rows[1].case_no]);
    expect(w.findAll(".case-row.selected")[0].attributes("data-case")).toBe(rows[1].case_no);
  });

  it("asks for the next page when the end is near and more exist", () => {
    const w = mount(CaseList, { props: { rows: [summary(1)], loading: false, hasMore: true } });
    w.vm.select(0);
    expect(w.emitted("more")).toBeTruthy();
  });

  it("shows overdue days and the red light", () => {
    const w = mount(CaseList, { props: { rows: [summary(1, { days_left: -2, light: "red" })], loading: false, hasMore: false } });
    expect(w.text()).toContain("超期 2 个工作日");
    expect(w.find("[data-light=red]").exists()).toBe(true);
  });
});
