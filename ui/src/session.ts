// Who is logged in and what the workstation is; shared by every screen.
import { reactive } from "vue";
import type { Actor, AppInfo } from "./bindings";

export const session = reactive<{ actor: Actor | null; info: AppInfo | null; locked: boolean }>({
  actor: null,
  info: null,
  locked: false,
});

/** The work list's filters, kept across visits (into a case and back). */
export const workFilters = reactive<{ state: string; light: "" | "green" | "yellow" | "red"; department: string; openOnly: boolean; query: string }>({
  state: "",
  light: "",
  department: "",
  openOnly: true,
  query: "",
});
