import { describe, expect, it } from "vitest";
import { mockShell } from "./helpers";
import { clearDraft, emptyDraft, isMeaningful, loadDraft, saveDraft } from "../src/draft";

/** A shell that keeps one draft file, like <data>/drafts/<staff>.json. */
function fileShell() {
  let file: string | null = null;
  mockShell({
    save_draft: (a) => void (file = String(a.json)),
    load_draft: () => file,
    clear_draft: () => void (file = null),
  });
  return { get: () => file };
}

describe("intake drafts", () => {
  it("a saved draft goes to the shell and comes back after a restart", async () => {
    const shell = fileShell();
    const d = { ...emptyDraft(), itemCode: "X1", applicantName: "王芳", step: 2 };
    await saveDraft("zhangwei", d);
    expect(shell.get()).toContain("王芳");
    localStorage.clear(); // the webview lost its storage: the shell's file still has it
    expect(await loadDraft("zhangwei")).toEqual(d);
  });
  it("falls back to localStorage when the shell cannot be reached", async () => {
    mockShell({});
    const d = { ...emptyDraft(), applicantId: "1" };
    await saveDraft("zhangwei", d);
    expect(await loadDraft("zhangwei")).toEqual(d);
    expect(await loadDraft("liuyang")).toBeNull();
  });
  it("a corrupt draft is ignored rather than crashing the wizard", async () => {
    mockShell({ load_draft: () => "{not json" });
    localStorage.setItem("yc.intake.draft.zhangwei", "{also not json");
    expect(await loadDraft("zhangwei")).toBeNull();
  });
  it("clearing removes it; an untouched form is not worth restoring", async () => {
    const shell = fileShell();
    await saveDraft("zhangwei", { ...emptyDraft(), applicantId: "1" });
    await clearDraft("zhangwei");
    expect(shell.get()).toBeNull();
    expect(await loadDraft("zhangwei")).toBeNull();
    expect(isMeaningful(emptyDraft())).toBe(false);
  });
});
