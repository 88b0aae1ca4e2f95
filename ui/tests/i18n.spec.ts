import { describe, expect, it } from "vitest";
import { setLocale, t, tables } from "../src/i18n";
import { beijingDateTime } from "../src/format";

function keys(o: object, prefix = ""): string[] {
  return Object.entries(o).flatMap(([k, v]) => (typeof v === "string" ? [prefix + k] : keys(v as object, `${prefix}${k}.`)));
}
function values(o: object): string[] {
  return Object.values(o).flatMap((v) => (typeof v === "string" ? [v] : values(v as object)));
}

describe("i18n", () => {
  it("English has exactly the keys of zh-CN", () => {
    expect(keys(tables.en).sort()).toEqual(keys(tables.zh).sort());
  });
  it("zh-CN has no English leftovers (only key names, IDs and examples)", () => {
    // Key names, file formats and units are written the same in Chinese text.
    const allowed = new Set(["Enter", "Esc", "Ctrl", "JSON", "TOML", "XML", "PDF", "JPEG", "PNG", "WebP", "TIFF", "MB", "spjy", "yc123456"]);
    for (const v of values(tables.zh)) {
      for (const word of v.replace(/\{\w+\}/g, "").match(/[A-Za-z][A-Za-z0-9]+/g) ?? []) expect(allowed, `「${v}」`).toContain(word);
    }
  });
  it("fills placeholders and switches language", () => {
    setLocale("zh-CN");
    expect(t("work.overdue", { n: 3 })).toBe("超期 3 个工作日");
    setLocale("en");
    expect(t("work.overdue", { n: 3 })).toBe("3 working days overdue");
    setLocale("zh-CN");
  });
  it("shows journal times in Beijing time whatever the machine's zone", () => {
    expect(beijingDateTime("2026-11-23T01:30:00.000Z")).toBe("2026-11-23 09:30");
    expect(beijingDateTime("2026-11-23T23:59:00.000+08:00")).toBe("2026-11-23 23:59");
  });
});
