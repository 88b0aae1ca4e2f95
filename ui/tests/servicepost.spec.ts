import { describe, expect, it } from "vitest";
import { mount } from "@vue/test-utils";
import { flush, global, mockShell } from "./helpers";
import ServicePostCard from "../src/components/ServicePostCard.vue";
import type { ServicePost } from "../src/bindings";

describe("服务站点 card", () => {
  it("shows the post and lets a whole-workstation admin make it a village post", async () => {
    let saved: ServicePost | null = null;
    mockShell({
      service_post: () => ({ level: "county", township: null, village: null }),
      set_service_post: (a) => {
        saved = a.post as ServicePost;
        return saved;
      },
    });
    const w = mount(ServicePostCard, { props: { canEdit: true }, global });
    await flush();
    expect(w.get("[data-test=post-current]").text()).toBe("县级政务服务中心");
    expect(w.find("[data-test=post-township]").exists()).toBe(false);
    (w.vm as unknown as { form: { level: string } }).form.level = "village";
    await flush();
    await w.get("[data-test=post-township]").setValue(" 石门镇 ");
    await w.get("[data-test=post-village]").setValue("石门村");
    await w.get("form").trigger("submit");
    await flush();
    expect(saved).toEqual({ level: "village", township: "石门镇", village: "石门村" });
    expect(w.get("[data-test=post-current]").text()).toBe("村级代办点：石门镇 · 石门村");
    w.unmount();
  });

  it("is read-only for others and shows the core's refusal in words", async () => {
    mockShell({ service_post: () => { throw { kind: "RoleDenied", message: "权限不足：需要登录" }; } });
    const w = mount(ServicePostCard, { props: { canEdit: false }, global });
    await flush();
    expect(w.find("[data-test=post-save]").exists()).toBe(false);
    expect(w.get("[data-test=post-error]").text()).toContain("权限不足");
    w.unmount();
  });
});
