// Item search by keyword or pinyin initials ("spjy" finds 食品经营许可), as clerks type at the
// counter. Initials are computed here with pinyin-pro so the catalog format needs no extra field.
import { pinyin } from "pinyin-pro";

const cache = new Map<string, string>();

/** Lower-case initials of the Chinese characters (other characters kept as typed). */
export function initials(text: string): string {
  const hit = cache.get(text);
  if (hit !== undefined) return hit;
  const v = pinyin(text, { pattern: "first", toneType: "none", type: "array", nonZh: "consecutive" })
    .join("")
    .replace(/\s+/g, "")
    .toLowerCase();
  cache.set(text, v);
  return v;
}

/** Whether `query` matches `fields` by substring or (for ASCII letters) by pinyin initials. */
export function matches(query: string, ...fields: string[]): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  for (const f of fields) {
    if (f.toLowerCase().includes(q)) return true;
  }
  if (/^[a-z]+$/.test(q)) {
    return fields.some((f) => initials(f).includes(q));
  }
  return false;
}
