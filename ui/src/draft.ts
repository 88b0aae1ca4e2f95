// A half-filled intake survives closing the window or a crash: every change goes to the shell,
// which writes it atomically to <data>/drafts/<staff>.json (the webview's localStorage is flushed
// to disk lazily and loses the last edits when the process is killed). localStorage is kept as a
// fallback for when the shell cannot be reached.
import { clear_draft, load_draft, save_draft, type Attachment, type Channel } from "./bindings";
export interface IntakeDraft {
  step: number;
  itemCode: string | null;
  applicantId: string;
  applicantName: string;
  phone: string;
  channel: Channel;
  appointment: boolean;
  idOverride: string;
  note: string;
  provided: string[];
  reuse: Record<string, string>;
  /** Files already stored by the shell (content-addressed), so a draft only keeps their hashes. */
  attachments: Attachment[];
  /** The situation (办理情形, a sub-item code) when the item has several. */
  subItem: string | null;
  /** 代办: a township or village agent files for the applicant (the authorisation is an attachment). */
  agent: boolean;
  agentName: string;
  agentId: string;
  agentLevel: "" | "township" | "village";
  agentPost: string;
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
    attachments: [],
    subItem: null,
    agent: false,
    agentName: "",
    agentId: "",
    agentLevel: "",
    agentPost: "",
  };
}

const key = (staff: string) => `yc.intake.draft.${staff}`;

function parse(raw: string | null | undefined): IntakeDraft | null {
  if (!raw) return null;
  try {
    return { ...emptyDraft(), ...(JSON.parse(raw) as Partial<IntakeDraft>) };
  } catch {
    return null;
  }
}

export async function saveDraft(staff: string, d: IntakeDraft): Promise<void> {
  const json = JSON.stringify(d);
  localStorage.setItem(key(staff), json);
  try {
    await save_draft(json);
  } catch {
    // localStorage still has it.
  }
}

/** The saved draft, or null when there is none or it is unreadable (never throws). */
export async function loadDraft(staff: string): Promise<IntakeDraft | null> {
  try {
    const fromShell = parse(await load_draft());
    if (fromShell) return fromShell;
  } catch {
    // fall back to localStorage
  }
  return parse(localStorage.getItem(key(staff)));
}

export async function clearDraft(staff: string): Promise<void> {
  localStorage.removeItem(key(staff));
  try {
    await clear_draft();
  } catch {
    // nothing saved there
  }
}

/** A draft worth restoring: something beyond the defaults was entered. */
export function isMeaningful(d: IntakeDraft): boolean {
  return d.itemCode !== null || d.applicantId.trim() !== "" || d.applicantName.trim() !== "";
}
