import { describe, expect, it } from "vitest";
import { mount } from "@vue/test-utils";
import { createMemoryHistory, createRouter } from "vue-router";
import { flush, global, mockShell } from "./helpers";
import { detail, item } from "./fixtures";
import LoginView from "../src/views/LoginView.vue";
import CaseView from "../src/views/CaseView.vue";
import IntakeView from "../src/views/IntakeView.vue";
import { session } from "../src/session";
import { saveDraft, emptyDraft, loadDraft } from "../src/draft";

function router() {
  return createRouter({ history: createMemoryHistory(), routes: [{ path: "/:p(.*)*", component: { template: "<div/>" } }] });
}

describe("LoginView", () => {
  it("shows the core's Chinese message for a wrong password", async () => {
    mockShell({
      list_staff: () => [{ id: "zhangwei", name: "张伟", roles_zh: ["受理员"] }],
      login: () => {
        throw { kind: "WrongPassword", message: "密码错误" };
      },
    });
    const w = mount(LoginView, { global });
    await flush();
    (w.vm as unknown as { account: string }).account = "zhangwei";
    await w.get("[data-test=login-password]").setValue("bad");
    await w.get("form").trigger("submit");
    await flush();
    expect(w.get("[data-test=login-error]").text()).toContain("密码错误");
    expect(session.actor).toBeNull();
  });
});

describe("CaseView", () => {
  it("a refused action shows the core's reason in Chinese and keeps the dialog open", async () => {
    session.actor = { id: "wangqiang", name: "王强", roles: ["decider"], departments: ["*"] };
    const calls = mockShell({
      case_detail: () => detail(),
      act: () => {
        throw { kind: "Missing", message: "「不予许可」必须填写法律依据" };
      },
    });
    const w = mount(CaseView, { props: { no: "440305-W01-20261123-00001" }, global: { plugins: [...global.plugins, router()] }, attachTo: document.body });
    await flush();
    await w.get("[data-action=deny]").trigger("click");
    await flush();
    (document.querySelector("[data-test=act-confirm]") as HTMLElement).click();
    await flush();
    expect(calls).toContain("act");
    expect(document.querySelector("[data-test=act-error]")?.textContent).toContain("必须填写法律依据");
    w.unmount();
  });
});

describe("CaseView documents", () => {
  it("show whether each sealed document carries a trusted timestamp yet", async () => {
    session.actor = { id: "zhangwei", name: "张伟", roles: ["clerk"], departments: ["*"] };
    const doc = (id: string, level: "B-B" | "B-LT", proven: string | null) => ({
      doc_id: id, case_no: "x", doc_type: "approval", doc_type_zh: "准予行政许可决定书", seal_id: "SEAL-1",
      file_sha256: id.repeat(64).slice(0, 64), sealed_at: "2026-11-21T01:00:00.000Z", sealed_by: "zhaomin", path: "/tmp/x.pdf",
      level, proven_time: proven,
    });
    mockShell({
      case_detail: () => detail({ documents: [doc("a", "B-LT", "2026-11-21T02:30:00.000Z"), doc("b", "B-B", null)] }),
    });
    const w = mount(CaseView, { props: { no: "440305-W01-20261123-00001" }, global: { plugins: [...global.plugins, router()] } });
    await flush();
    expect(w.get("[data-test=doc-timestamped]").text()).toBe("已加时间戳 2026-11-21 10:30");
    expect(w.get("[data-test=doc-awaiting-timestamp]").text()).toContain("待加时间戳");
    w.unmount();
  });
});

describe("CaseView supplement", () => {
  it("records the materials that came back and their scans", async () => {
    session.actor = { id: "zhangwei", name: "张伟", roles: ["clerk"], departments: ["*"] };
    let sent: Record<string, unknown> | null = null;
    const waiting = detail({
      materials: [
        { material_id: "m1", name: "营业执照", required: true, provided: true, reused_from: null },
        { material_id: "m2", name: "食品安全管理制度", required: true, provided: false, reused_from: null },
      ],
      available: [{ code: "supplement", zh: "补正材料", needs_reason: false, needs_basis: false }],
    });
    mockShell({
      case_detail: () => waiting,
      put_attachment: (a) => ({ sha256: "cd".repeat(32), name: a.name, mime: "application/pdf", size: 8, material: null }),
      act: (a) => {
        sent = a.request as Record<string, unknown>;
        // Left pending: the request is what is checked, and happy-dom cannot run the dialog's
        // closing transition over a checkbox group without tripping Vue's unmount.
        return new Promise(() => {});
      },
    });
    const w = mount(CaseView, { props: { no: "440305-W01-20261123-00001" }, global: { plugins: [...global.plugins, router()] }, attachTo: document.body });
    await flush();
    await w.get("[data-action=supplement]").trigger("click");
    await flush();
    const input = document.querySelector("[data-test=supplement-attach]") as HTMLInputElement;
    Object.defineProperty(input, "files", { value: [new File(["%PDF-1.7"], "制度（更正）.pdf", { type: "application/pdf" })] });
    input.dispatchEvent(new Event("change"));
    await flush(20);
    (document.querySelector("[data-test=act-confirm]") as HTMLElement).click();
    await flush();
    expect(sent).toMatchObject({ materials: ["m2"], attachments: [{ name: "制度（更正）.pdf", sha256: "cd".repeat(32) }] });
    w.unmount();
  });
});

describe("IntakeView", () => {
  let draftFile: string | null = null;
  const shell = () =>
    mockShell({
      save_draft: (a) => void (draftFile = String(a.json)),
      load_draft: () => draftFile,
      clear_draft: () => void (draftFile = null),
      catalog_items: () => [item],
      check_id: (a) =>
        String(a.number).endsWith("5")
          ? { kind: "ResidentId", normalized: a.number, valid: true, error: null, overridable: false, birth_date: "1990-05-17" }
          : { kind: "ResidentId", normalized: a.number, valid: false, error: "身份证号校验位错误：应为 5，实为 4", overridable: false, birth_date: null },
      reusable_materials: () => [],
    });

  it("flags a wrong ID number before submit and keeps Next disabled", async () => {
    session.actor = { id: "zhangwei", name: "张伟", roles: ["clerk"], departments: ["*"] };
    shell();
    await saveDraft("zhangwei", { ...emptyDraft(), itemCode: "SPJY", step: 1 });
    const w = mount(IntakeView, { global: { plugins: [...global.plugins, router()] } });
    await flush();
    await w.get("[data-test=applicant-id]").setValue("440305199005171234");
    await w.get("[data-test=applicant-name]").setValue("王芳");
    await flush();
    expect(w.get("[data-test=id-error]").text()).toContain("校验位错误");
    expect(w.get("[data-test=intake-next]").attributes("disabled")).toBeDefined();
    await w.get("[data-test=applicant-id]").setValue("440305199005171235");
    await flush();
    expect(w.find("[data-test=id-error]").exists()).toBe(false);
    expect(w.get("[data-test=intake-next]").attributes("disabled")).toBeUndefined();
  });

  it("restores a half-filled intake and saves every change", async () => {
    session.actor = { id: "zhangwei", name: "张伟", roles: ["clerk"], departments: ["*"] };
    shell();
    await saveDraft("zhangwei", { ...emptyDraft(), itemCode: "SPJY", step: 1, applicantName: "王芳" });
    const w = mount(IntakeView, { global: { plugins: [...global.plugins, router()] } });
    await flush();
    expect(w.find("[data-test=draft-restored]").exists()).toBe(true);
    expect((w.get("[data-test=applicant-name]").element as HTMLInputElement).value).toBe("王芳");
    await w.get("[data-test=applicant-phone]").setValue("13800000000");
    await flush();
    expect((await loadDraft("zhangwei"))?.phone).toBe("13800000000");
    expect(draftFile).toContain("13800000000");
  });

  it("a picked scan goes to the shell at once and the draft keeps only its hash", async () => {
    session.actor = { id: "zhangwei", name: "张伟", roles: ["clerk"], departments: ["*"] };
    let sent: Record<string, unknown> | null = null;
    mockShell({
      save_draft: (a) => void (draftFile = String(a.json)),
      load_draft: () => draftFile,
      catalog_items: () => [item],
      check_id: (a) => ({ kind: "ResidentId", normalized: a.number, valid: true, error: null, overridable: false, birth_date: null }),
      put_attachment: (a) => {
        sent = a;
        return { sha256: "ab".repeat(32), name: a.name, mime: "application/pdf", size: 9 };
      },
    });
    await saveDraft("zhangwei", { ...emptyDraft(), itemCode: "SPJY", step: 2, applicantId: "440305199005171235", applicantName: "王芳" });
    const w = mount(IntakeView, { global: { plugins: [...global.plugins, router()] } });
    await flush();
    const material = item.materials[0].id;
    const input = w.get(`[data-attach="${material}"]`);
    const file = new File(["%PDF-1.7"], "营业执照.pdf", { type: "application/pdf" });
    Object.defineProperty(input.element, "files", { value: [file] });
    await input.trigger("change");
    await flush(20);
    expect(sent).toEqual({ name: "营业执照.pdf", data_base64: btoa("%PDF-1.7") });
    expect(w.get("[data-test=att-chip]").text()).toContain("营业执照.pdf");
    const draft = await loadDraft("zhangwei");
    expect(draft?.attachments).toEqual([{ sha256: "ab".repeat(32), name: "营业执照.pdf", mime: "application/pdf", size: 9, material }]);
    expect(draftFile).not.toContain("%PDF");
  });

  it("a situation narrows the materials and is filed with the case", async () => {
    session.actor = { id: "zhangwei", name: "张伟", roles: ["clerk"], departments: ["*"] };
    let filed: Record<string, unknown> | null = null;
    mockShell({
      save_draft: (a) => void (draftFile = String(a.json)),
      load_draft: () => draftFile,
      clear_draft: () => void (draftFile = null),
      catalog_items: () => [item],
      check_id: (a) => ({ kind: "ResidentId", normalized: a.number, valid: true, error: null, overridable: false, birth_date: null }),
      reusable_materials: () => [],
      new_case: (a) => {
        filed = a.request as Record<string, unknown>;
        return "440399-W01-20261123-00001";
      },
    });
    draftFile = null;
    const w = mount(IntakeView, { global: { plugins: [...global.plugins, router()] } });
    await flush();
    await w.get("[data-item=SPJY]").trigger("click");
    await w.get("[data-test=applicant-id]").setValue("440305199005171235");
    await w.get("[data-test=applicant-name]").setValue("王芳");
    await flush();
    await w.get("[data-test=intake-next]").trigger("click");
    await flush();
    // 新办 is preselected: its two materials, not the old licence.
    const shown = () => w.findAll("[data-material]").map((e) => e.attributes("data-material"));
    expect(shown()).toEqual(["m1", "m2"]);
    await w.get("[data-situation=SPJY-02] input").setValue(true);
    await flush();
    expect(shown()).toEqual(["m1", "m3"]);
    await w.get("[data-test=intake-next]").trigger("click");
    await flush();
    expect(w.get("[data-test=confirm-situation]").text()).toBe("延续");
    await w.get("[data-test=intake-submit]").trigger("click");
    await flush();
    expect(filed).toMatchObject({ sub_item: "SPJY-02", provided: ["m1", "m3"] });
  });
});
