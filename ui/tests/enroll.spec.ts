import { describe, expect, it } from "vitest";
import { mount } from "@vue/test-utils";
import { flush, global, mockShell } from "./helpers";
import EnrollmentCard from "../src/components/EnrollmentCard.vue";

const key = "ab".repeat(32);
const status = (state: "manual" | "training" | "enrolled") => ({
  state,
  issuer: state === "enrolled" ? "某市政务服务数据管理局" : null,
  issuer_fingerprint: state === "enrolled" ? "cd".repeat(32) : null,
  enrolled_at: state === "enrolled" ? "2026-12-03T10:00:00.000+08:00" : null,
  packages: state === "enrolled" ? 1 : 0,
  serial: state === "enrolled" ? 1 : null,
  pending_request: state === "training" ? "ef".repeat(32) : null,
  workstation_key: key,
  workstation_key_fingerprint: "12".repeat(32),
});

function pick(w: ReturnType<typeof mount>, sel: string, name: string, text: string) {
  const input = w.get(sel).element as HTMLInputElement;
  Object.defineProperty(input, "files", { value: [new File([text], name)], configurable: true });
  input.dispatchEvent(new Event("change"));
}

describe("EnrollmentCard", () => {
  it("in training mode says so, and imports the reply with the fingerprint the admin typed", async () => {
    let state: "training" | "enrolled" = "training";
    const imported: unknown[] = [];
    mockShell({
      enrollment_status: () => status(state),
      import_enrollment: (a) => {
        imported.push(a);
        state = "enrolled";
        return { issuer: "某市政务服务数据管理局", serial: 1, to: "", issued_at: "", issuer_fingerprint: "", changes: ["导入事项目录 2026.11（12 个事项），新收办件按新版本"], refusal: null };
      },
    });
    const w = mount(EnrollmentCard, { global, props: { isAdmin: true } });
    await flush();
    expect(w.get("[data-test=enroll-training]").text()).toContain("样本");
    await w.get("input[data-test=enroll-fingerprint]").setValue("CD:CD");
    pick(w, "[data-test=enroll-reply-file]", "reply.json", '{"body":"{}"}');
    await flush(20);
    expect(imported).toEqual([{ text: '{"body":"{}"}', issuer_fingerprint: "CD:CD" }]);
    expect(w.get("[data-test=enroll-state]").text()).toContain("已向市级平台注册");
    expect(w.get("[data-test=enroll-applied]").text()).toContain("导入事项目录");
    expect(w.find("[data-test=enroll-training]").exists()).toBe(false);
    w.unmount();
  });

  it("shows what a bundle changes before applying it, and the reason when it would be refused", async () => {
    const applied: unknown[] = [];
    let refusal: string | null = null;
    mockShell({
      enrollment_status: () => status("enrolled"),
      show_update: () => ({ issuer: "某市政务服务数据管理局", serial: 2, to: "440305-W01", issued_at: "2026-12-03T11:00:00+08:00", issuer_fingerprint: "cd".repeat(32), changes: ["新增工作人员 zhaomin（赵敏）"], refusal }),
      apply_update: (a) => {
        applied.push(a.text);
        return { issuer: "某市政务服务数据管理局", serial: 2, to: "", issued_at: "", issuer_fingerprint: "", changes: ["新增工作人员 zhaomin（赵敏）"], refusal: null };
      },
    });
    const w = mount(EnrollmentCard, { global, props: { isAdmin: true } });
    await flush();
    pick(w, "[data-test=update-file]", "update-2.json", "BUNDLE");
    await flush(20);
    expect(w.get("[data-test=update-changes]").text()).toContain("zhaomin");
    expect(applied).toEqual([]);
    await w.get("[data-test=update-apply]").trigger("click");
    await flush(20);
    expect(applied).toEqual(["BUNDLE"]);
    expect(w.get("[data-test=enroll-applied]").text()).toContain("编号 2");

    refusal = "重复导入：此包（编号 2）已于 2026-12-03 11:05 导入，不再重复导入";
    pick(w, "[data-test=update-file]", "update-2.json", "BUNDLE");
    await flush(20);
    expect(w.get("[data-test=update-refusal]").text()).toContain("重复导入");
    expect(w.find("[data-test=update-apply]").exists()).toBe(false);
    w.unmount();
  });

  it("a clerk sees the state but no import buttons", async () => {
    mockShell({ enrollment_status: () => status("enrolled") });
    const w = mount(EnrollmentCard, { global, props: { isAdmin: false } });
    await flush();
    expect(w.get("[data-test=enroll-state]").text()).toContain("已向市级平台注册");
    expect(w.find("[data-test=update-file]").exists()).toBe(false);
    w.unmount();
  });
});
