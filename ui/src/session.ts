// Who is logged in and what the workstation is; shared by every screen.
import { reactive } from "vue";
import type { Actor, AppInfo, Light, State } from "./bindings";

export const session = reactive<{ actor: Actor | null; info: AppInfo | null; locked: boolean }>({
  actor: null,
  info: null,
  locked: false,
});

/** The work list's filters, kept across visits (into a case and back). */
export const workFilters = reactive<{ state: "" | State; light: "" | Light; department: string; openOnly: boolean; query: string }>({
  state: "",
  light: "",
  department: "",
  openOnly: true,
  query: "",
});
