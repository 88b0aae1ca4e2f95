import { describe, expect, it } from "vitest";
import { mount } from "@vue/test-utils";
import { createMemoryHistory, createRouter } from "vue-router";
import { flush, global, mockShell } from "./helpers";
import QueueView from "../src/views/QueueView.vue";
import HallDisplay from "../src/views/HallDisplay.vue";
import { session } from "../src/session";
import type { Booking, CatalogEntry, HallBoard, QueueStatus, Ticket } from "../src/bindings";

function router() {
  const stub = { template: "<div/>" };
  return createRouter({ history: createMemoryHistory(), routes: [{ path: "/:p(.*)*", component: stub }] });
}

const ticket = (number: string, window: string | null): Ticket => ({
  ticket_id: `20261123-${number}`, day: "2026-11-23", number, service: "general", priority: false,
  status: window ? "called" : "waiting", window, target_window: null, taken_at: "2026-11-23T09:00:00.000+08:00",
  called_at: window ? "2026-11-23T09:05:00.000+08:00" : null, recalls: 0, transfers: 0,
  waited_minutes: window ? 5 : null, booking_id: null,
});

describe("叫号 panel", () => {
  it("F1 calls the next ticket to the clerk's window, F3 skips it", async () => {
    session.info = { identity: { region: "440399", code: "W01", name: "示范窗口" }, today: "2026-11-23", data_dir: "/tmp", demo: true, version: "0", states: [], actions: [], roles: [] };
    let called: Ticket[] = [];
    const args: Record<string, unknown>[] = [];
    const status = (): QueueStatus => ({ day: "2026-11-23", services: [], called, waiting: [], skipped: [] });
    const calls = mockShell({
      queue_status: status,
      appointments: () => [],
      call_next: (a) => {
        args.push(a);
        called = [ticket("A001", a.window as string)];
        return called[0];
      },
      skip_ticket: () => {
        const t = { ...called[0], status: "skipped" };
        called = [];
        return t;
      },
    });
    localStorage.setItem("yc.queue.window", "2号窗口");
    const w = mount(QueueView, { global: { plugins: [...global.plugins, router()] } });
    await flush();
    expect(w.find("[data-test=queue-current-number]").text()).toBe("—");
    window.dispatchEvent(new KeyboardEvent("keydown", { key: "F1" }));
    await flush();
    expect(args[0]).toMatchObject({ window: "2号窗口", services: ["general", "business", "pickup", "enquiry"] });
    expect(w.find("[data-test=queue-current-number]").text()).toBe("A001");
    window.dispatchEvent(new KeyboardEvent("keydown", { key: "F3" }));
    await flush();
    expect(calls).toContain("skip_ticket");
    expect(w.find("[data-test=queue-current-number]").text()).toBe("—");
    w.unmount();
  });
});

describe("叫号 panel's bookings", () => {
  it("name the item from the catalog, not its code", async () => {
    session.info = { identity: { region: "440399", code: "W01", name: "示范窗口" }, today: "2026-11-23", data_dir: "/tmp", demo: true, version: "0", states: [], actions: [], roles: [] };
    const booking: Booking = {
      booking_id: "B1", target: { kind: "item", name: "ITEM-1" }, department: "市场监管", date: "2026-11-23",
      start: "09:00", end: "09:30", item_code: "ITEM-1", applicant_id: "440301199001011234", applicant_name: "赵预约",
      channel: "window", external_ref: null, status: "booked", reason: null, case_no: null, ticket_id: null,
      booked_at: "2026-11-22T10:00:00.000+08:00",
    };
    const entry = { code: "ITEM-1", name: "食品经营许可", department: "市场监管" } as CatalogEntry;
    mockShell({
      queue_status: (): QueueStatus => ({ day: "2026-11-23", services: [], called: [], waiting: [], skipped: [] }),
      appointments: () => [booking],
      catalog_items: () => [entry],
    });
    const w = mount(QueueView, { global: { plugins: [...global.plugins, router()] } });
    await flush();
    const row = w.find("[data-test=queue-appointments]").text();
    expect(row).toContain("赵预约");
    expect(row).toContain("食品经营许可");
    expect(row).not.toContain("ITEM-1");
    w.unmount();
  });
});

describe("hall display", () => {
  it("shows the latest number and window in large type, the recent calls and waiting counts", async () => {
    const board: HallBoard = {
      hall: "示范区政务服务中心", day: "2026-11-23",
      latest: { number: "A003", window: "3号窗口", service: "pickup", called_at: "2026-11-23T10:00:00.000+08:00" },
      recent: [{ number: "A001", window: "1号窗口", service: "general", called_at: "2026-11-23T09:50:00.000+08:00" }],
      waiting: [{ service: "general", taken: 4, waiting: 2, called: 2, avg_wait_minutes: 5, max_wait_minutes: 8 }],
    };
    const calls = mockShell({ hall_board: () => board });
    const w = mount(HallDisplay);
    await flush();
    expect(w.find("[data-test=hall-number]").text()).toBe("A003");
    expect(w.find("[data-test=hall-window]").text()).toBe("3号窗口");
    expect(w.find("[data-test=hall-recent]").text()).toContain("A001");
    expect(w.find("[data-test=hall-waiting]").text()).toContain("综合受理");
    expect(new Set(calls)).toEqual(new Set(["hall_board"]));
    w.unmount();
  });
});
