// The one place that talks to the shell. The typed wrappers in bindings.ts (generated from Rust)
// call `call`; a rejected command always arrives as an IpcError { kind, message }.
import { invoke } from "@tauri-apps/api/core";
import type { IpcError } from "./bindings";

export function toIpcError(e: unknown): IpcError {
  if (e && typeof e === "object" && "kind" in e && "message" in e) {
    const o = e as { kind: unknown; message: unknown };
    return { kind: String(o.kind), message: String(o.message) };
  }
  return { kind: "Internal", message: String(e) };
}

export async function call<T>(cmd: string, args: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toIpcError(e);
  }
}

export function isIpcError(e: unknown): e is IpcError {
  return !!e && typeof e === "object" && "kind" in e && "message" in e;
}
