// A half-filled intake survives closing the window or a crash: every change is written to
// localStorage (the webview's own store, on disk in the app's data directory).
export interface IntakeDraft {
  step: number;
  itemCode: string | null;
  applicantId: string;
  applicantName: string;
  phone: string;
  channel: string;
  appointment: boolean;
  idOverride: string;
  note: string;
  provided: string[];
  reuse: Record<string, string>;
}

export function emptyDraft(): IntakeDraft {
  return {
    step: 0,
    itemCode: null,
    applicantId: "",
    applicantName: "",
    phone: "",
    channel: "window",
    appointment: false,
    idOverride: "",
    note: "",
    provided: [],
    reuse: {},
  };
}

const key = (staff: string) => `yc.intake.draft.${staff}`;

export function saveDraft(staff: string, d: IntakeDraft): void {
  localStorage.setItem(key(staff), JSON.stringify(d));
}

/** The saved draft, or null when there is none or it is unreadable (never throws). */
export function loadDraft(staff: string): IntakeDraft | null {
  const raw = localStorage.getItem(key(staff));
  if (!raw) return null;
  try {
    return { ...emptyDraft(), ...(JSON.parse(raw) as Partial<IntakeDraft>) };
  } catch {
    return null;
  }
}

export function clearDraft(staff: string): void {
  localStorage.removeItem(key(staff));
}

/** A draft worth restoring: something beyond the defaults was entered. */
export function isMeaningful(d: IntakeDraft): boolean {
  return d.itemCode !== null || d.applicantId.trim() !== "" || d.applicantName.trim() !== "";
}
