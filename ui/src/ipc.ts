// The one place that talks to the shell. The typed wrappers in bindings.ts (generated from Rust)
// call `call`; a rejected command always arrives as an IpcError { kind, message }, `kind` one of
// the `ErrorKind` union.
import { invoke } from "@tauri-apps/api/core";
import type { ErrorKind, IpcError } from "./bindings";

export function isIpcError(e: unknown): e is IpcError {
  return (
    !!e &&
    typeof e === "object" &&
    "kind" in e &&
    typeof e.kind === "string" &&
    "message" in e &&
    typeof e.message === "string"
  );
}

export function toIpcError(e: unknown): IpcError {
  if (isIpcError(e)) return { kind: e.kind, message: e.message };
  // Not from the shell's commands (Tauri's own rejection, a thrown Error): no kind to switch on.
  const kind: ErrorKind = "Internal";
  return { kind, message: String(e) };
}

/** The text to show for anything a command (or a file read) rejected with. */
export function errorMessage(e: unknown): string {
  if (isIpcError(e)) return e.message;
  return e instanceof Error ? e.message : String(e);
}

export async function call<T>(cmd: string, args: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toIpcError(e);
  }
}
