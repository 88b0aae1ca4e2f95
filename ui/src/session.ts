// Who is logged in and what the workstation is; shared by every screen.
import { reactive } from "vue";
import type { Actor, AppInfo, Light, State } from "./bindings";

export const session = reactive<{ actor: Actor | null; info: AppInfo | null; locked: boolean; training: boolean }>({
  actor: null,
  info: null,
  locked: false,
  // Training mode (not yet enrolled with the city): the strip on every screen; 设置 updates it.
  training: false,
});

/** The work list's filters, kept across visits (into a case and back). */
export const workFilters = reactive<{ state: "" | State; light: "" | Light; department: string; openOnly: boolean; query: string }>({
  state: "",
  light: "",
  department: "",
  openOnly: true,
  query: "",
});
