import { describe, expect, it } from "vitest";
import { mount } from "@vue/test-utils";
import { flush, global, mockShell } from "./helpers";
import ApplicantPanels from "../src/components/ApplicantPanels.vue";
import { session } from "../src/session";
import type { ApplicantSide, Delivery, FeeAccount, NoticeStatus } from "../src/bindings";

const NO = "440305-W01-20261120-00001";

function delivery(over: Partial<Delivery> = {}): Delivery {
  return {
    case_no: NO, department: "示范区市场监督管理局", method: "courier", address: "深圳市南山区科技园路 1 号", recipient: null,
    status: "planned", carrier: null, waybill: null, dispatched_on: null, received_on: null, signed_by: null, returned_on: null,
    return_reason: null, attempts: 0, planned_on: "2026-11-20", due: "2026-12-04", met_on: null, days_left: 10, light: "green",
    late_days: null, ...over,
  };
}

function fee(over: Partial<FeeAccount> = {}): FeeAccount {
  return {
    account: NO, theme_no: null, department: "示范区不动产登记中心",
    lines: [{ case_no: NO, item_name: "不动产转移登记", name: "不动产登记费", basis: "发改价格规〔2016〕2559号", amount_fen: 8000, amount_text: "住宅类每件 80 元，非住宅类每件 550 元" }],
    due_fen: 8000, status: "due", amount_fen: null, receipt_no: null, paid_on: null, paid_by: null, exempt_reason: null,
    refunded_fen: null, refund_receipt_no: null, refund_reason: null, refunded_on: null, ...over,
  };
}

const notices: NoticeStatus = {
  case_no: NO,
  phone_masked: "138****5678",
  notices: [
    { notice_id: "n1", template: "accepted", text: "【一窗】您的办件已受理", queued_at: "2026-11-20T09:00:00+08:00", sending: ["city: acked"], sent: true },
    { notice_id: "n2", template: "decided", text: "【一窗】您的办件已办结", queued_at: "2026-11-20T10:00:00+08:00", sending: ["city: pending"], sent: false },
    { notice_id: "n3", template: "delivered", text: "【一窗】已送达", queued_at: "2026-11-20T11:00:00+08:00", sending: [], sent: false },
  ],
};

function side(over: Partial<ApplicantSide> = {}): ApplicantSide {
  return { delivery: delivery(), notices, fee: fee(), licences: [], agent: null, ...over };
}

const click = (sel: string) => (document.querySelector(sel) as HTMLElement).click();
function type(sel: string, v: string) {
  const found = document.querySelector(sel) as HTMLElement;
  const el = (found.tagName === "INPUT" ? found : found.querySelector("input")) as HTMLInputElement;
  el.value = v;
  el.dispatchEvent(new Event("input"));
}

describe("ApplicantPanels", () => {
  it("dispatches a courier delivery with its waybill, then records the receipt and shows who signed", async () => {
    session.actor = { id: "zhangwei", name: "张伟", roles: ["clerk"], departments: ["*"] };
    let current = side();
    const sent: unknown[] = [];
    mockShell({
      applicant_side: () => current,
      dispatch_delivery: (a) => {
        sent.push(a);
        current = side({ delivery: delivery({ status: "dispatched", carrier: "顺丰速运", waybill: "SF1423567890", dispatched_on: "2026-11-20" }) });
        return current.delivery;
      },
      delivery_receipt: (a) => {
        sent.push(a);
        current = side({ delivery: delivery({ status: "received", carrier: "顺丰速运", waybill: "SF1423567890", dispatched_on: "2026-11-20", received_on: "2026-11-21", signed_by: "李四" }) });
        return current.delivery;
      },
    });
    const w = mount(ApplicantPanels, { props: { no: NO }, global, attachTo: document.body });
    await flush();
    expect(w.get("[data-test=delivery-method]").text()).toBe("快递");
    expect(w.find("[data-test=delivery-receipt]").exists()).toBe(false);
    await w.get("[data-test=delivery-dispatch]").trigger("click");
    await flush();
    type("[data-test=form-carrier]", "顺丰速运");
    type("[data-test=form-waybill]", "SF1423567890");
    click("[data-test=applicant-confirm]");
    await flush(10);
    expect(sent[0]).toMatchObject({ case_no: NO, dispatch: { carrier: "顺丰速运", waybill: "SF1423567890" } });
    expect(w.get("[data-test=delivery-status]").text()).toBe("已寄出");
    expect(w.get("[data-test=delivery-waybill]").text()).toBe("SF1423567890");
    await w.get("[data-test=delivery-receipt]").trigger("click");
    await flush();
    type("[data-test=form-signed-by]", "李四");
    click("[data-test=applicant-confirm]");
    await flush(10);
    expect(sent[1]).toMatchObject({ case_no: NO, signed_by: "李四", on: null });
    expect(w.get("[data-test=delivery-status]").text()).toBe("已签收");
    expect(w.get("[data-test=delivery-signed-by]").text()).toBe("李四");
    w.unmount();
  });

  it("shows the consent masked and each notice's sending state", async () => {
    mockShell({ applicant_side: () => side() });
    const w = mount(ApplicantPanels, { props: { no: NO }, global, attachTo: document.body });
    await flush();
    expect(w.get("[data-test=notice-consent]").text()).toContain("138****5678");
    expect(w.html()).not.toContain("13812345678");
    const states = w.findAll("[data-test=notice-state]").map((s) => s.text());
    expect(states).toEqual(["已发送", "city: pending", "待发送（尚无通知通道）"]);
    w.unmount();
  });

  it("takes a payment with its receipt number, and a refusal shows the core's reason", async () => {
    session.actor = { id: "zhangwei", name: "张伟", roles: ["clerk"], departments: ["*"] };
    let current = side();
    const paid: unknown[] = [];
    mockShell({
      applicant_side: () => current,
      pay_fee: (a) => {
        paid.push(a);
        if (paid.length === 1) throw { kind: "Invalid", message: "输入无效：票据号格式不对（4–40 位字母、数字或连字符）：x" };
        current = side({ fee: fee({ status: "paid", amount_fen: 55000, receipt_no: "FS-2026-0001", paid_on: "2026-11-20", paid_by: "zhangwei" }) });
        return current.fee;
      },
    });
    const w = mount(ApplicantPanels, { props: { no: NO }, global, attachTo: document.body });
    await flush();
    expect(w.get("[data-test=fee-status]").text()).toBe("待缴费");
    expect(w.get("[data-test=fee-due]").text()).toBe("80.00 元");
    await w.get("[data-test=fee-pay]").trigger("click");
    await flush();
    type("[data-test=form-receipt]", "x");
    click("[data-test=applicant-confirm]");
    await flush(10);
    expect(document.querySelector("[data-test=applicant-error]")?.textContent).toContain("票据号格式不对");
    type("[data-test=form-receipt]", "FS-2026-0001");
    type("[data-test=form-amount]", "550");
    click("[data-test=applicant-confirm]");
    await flush(10);
    expect(paid[1]).toMatchObject({ case_no: NO, payment: { receipt_no: "FS-2026-0001", amount_fen: 55000 } });
    expect(w.get("[data-test=fee-status]").text()).toBe("已缴费");
    expect(w.get("[data-test=fee-receipt]").text()).toBe("FS-2026-0001");
    expect(w.find("[data-test=fee-pay]").exists()).toBe(false);
    expect(w.find("[data-test=fee-refund]").exists()).toBe(true);
    w.unmount();
  });

  it("names the licence id of the case's certificate and the agent who filed it", async () => {
    mockShell({
      applicant_side: () =>
        side({
          licences: [{
            licence_id: "1.2.156.3005.2.SPJY.11440300MB2C95374M.440305W012026112000001.001.K", holder_id: "x", holder_name: "y",
            type_name: "食品经营许可证", issuer_name: "示范区市场监督管理局", case_no: NO, valid_from: "2026-11-20", valid_until: null,
            status: "valid", source: "issued",
          }],
          agent: { case_no: NO, name: "王代办", id_no: null, level: "village", post: "石门村", applicant_name: "张老汉", authorisation: "ab".repeat(32) },
        }),
    });
    const w = mount(ApplicantPanels, { props: { no: NO }, global, attachTo: document.body });
    await flush();
    expect(w.get("[data-test=licence-id]").text()).toBe("1.2.156.3005.2.SPJY.11440300MB2C95374M.440305W012026112000001.001.K");
    expect(w.get("[data-test=case-agent]").text()).toContain("王代办（村级代办员，石门村）代 张老汉 办理");
    w.unmount();
  });
});

describe("IntakeView agent", () => {
  it("files for a villager through an agent: the agent, the township channel and the authorisation go with the filing", async () => {
    const { default: IntakeView } = await import("../src/views/IntakeView.vue");
    const { createMemoryHistory, createRouter } = await import("vue-router");
    const { item } = await import("./fixtures");
    session.actor = { id: "liuyang", name: "刘洋", roles: ["clerk"], departments: ["*"] };
    let filed: Record<string, unknown> | null = null;
    mockShell({
      save_draft: () => undefined,
      load_draft: () => null,
      clear_draft: () => undefined,
      catalog_items: () => [item],
      check_id: (a) => ({ kind: "ResidentId", normalized: a.number, valid: true, error: null, overridable: false, birth_date: null }),
      reusable_materials: () => [],
      put_attachment: (a) => ({ sha256: "ef".repeat(32), name: a.name, mime: "application/pdf", size: 8, material: null }),
      new_case: (a) => {
        filed = a.request as Record<string, unknown>;
        return "440399-W01-20261123-00002";
      },
    });
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: "/:p(.*)*", component: { template: "<div/>" } }] });
    const w = mount(IntakeView, { global: { plugins: [...global.plugins, router] }, attachTo: document.body });
    await flush();
    await w.get("[data-item=SPJY]").trigger("click");
    await w.get("[data-test=applicant-id]").setValue("440305194802031235");
    await w.get("[data-test=applicant-name]").setValue("张老汉");
    await w.get("[data-test=agent-toggle] input").setValue(true);
    await flush();
    expect(w.find("[data-test=agent-needs-auth]").exists()).toBe(true);
    await w.get("[data-test=agent-name]").setValue("王代办");
    await w.get("[data-test=agent-post]").setValue("石门村");
    const input = w.get("[data-attach=dbwts]").element as HTMLInputElement;
    Object.defineProperty(input, "files", { value: [new File(["%PDF-1.7"], "委托书.pdf", { type: "application/pdf" })] });
    input.dispatchEvent(new Event("change"));
    await flush(20);
    expect(w.find("[data-test=agent-needs-auth]").exists()).toBe(false);
    await w.get("[data-test=intake-next]").trigger("click");
    await flush();
    await w.get("[data-test=intake-next]").trigger("click");
    await flush();
    expect(w.get("[data-test=confirm-agent]").text()).toBe("王代办（石门村）");
    await w.get("[data-test=intake-submit]").trigger("click");
    await flush(10);
    expect(filed).toMatchObject({
      channel: "township",
      agent: { name: "王代办", id_no: null, level: null, post: "石门村" },
      attachments: [{ name: "委托书.pdf", material: "dbwts" }],
    });
    w.unmount();
  });
});
