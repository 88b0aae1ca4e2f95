import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import ElementPlus from "element-plus";
import { afterEach } from "vitest";

export type Handler = (args: Record<string, unknown>) => unknown;

/** Mocks the shell: each command name maps to a handler; a thrown value becomes the rejection. */
export function mockShell(handlers: Record<string, Handler>): string[] {
  const calls: string[] = [];
  mockIPC((cmd, payload) => {
    calls.push(cmd);
    const h = handlers[cmd];
    if (!h) throw { kind: "Internal", message: `unmocked command ${cmd}` };
    return h((payload ?? {}) as Record<string, unknown>);
  });
  return calls;
}

afterEach(() => {
  clearMocks();
  localStorage.clear();
});

export const global = { plugins: [ElementPlus] };

export async function flush(times = 5) {
  for (let i = 0; i < times; i++) await new Promise((r) => setTimeout(r, 0));
}
