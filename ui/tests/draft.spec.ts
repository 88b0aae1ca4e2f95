import { describe, expect, it } from "vitest";
import "./helpers";
import { clearDraft, emptyDraft, isMeaningful, loadDraft, saveDraft } from "../src/draft";

describe("intake drafts", () => {
  it("a saved draft comes back after a restart, per staff member", () => {
    const d = { ...emptyDraft(), itemCode: "X1", applicantName: "王芳", step: 2 };
    saveDraft("zhangwei", d);
    expect(loadDraft("zhangwei")).toEqual(d);
    expect(loadDraft("liuyang")).toBeNull();
  });
  it("a corrupt draft is ignored rather than crashing the wizard", () => {
    localStorage.setItem("yc.intake.draft.zhangwei", "{not json");
    expect(loadDraft("zhangwei")).toBeNull();
  });
  it("clearing removes it; an untouched form is not worth restoring", () => {
    saveDraft("zhangwei", { ...emptyDraft(), applicantId: "1" });
    clearDraft("zhangwei");
    expect(loadDraft("zhangwei")).toBeNull();
    expect(isMeaningful(emptyDraft())).toBe(false);
  });
});
