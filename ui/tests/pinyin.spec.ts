import { describe, expect, it } from "vitest";
import { initials, matches } from "../src/pinyin";

describe("item search", () => {
  it("finds an item by its pinyin initials", () => {
    expect(initials("食品经营许可")).toBe("spjyxk");
    expect(matches("spjy", "食品经营许可")).toBe(true);
  });
  it("finds an item by a Chinese keyword or its code", () => {
    expect(matches("经营", "食品经营许可")).toBe(true);
    expect(matches("11440300", "某事项", "11440300MB2C")).toBe(true);
  });
  it("does not match unrelated initials", () => {
    expect(matches("hyzm", "食品经营许可")).toBe(false);
  });
  it("an empty query matches everything", () => {
    expect(matches("  ", "任意")).toBe(true);
  });
});
