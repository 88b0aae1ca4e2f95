// The applicant part of an intake — single case (IntakeView) or theme (ThemeIntakeView): the core
// checks the ID while the clerk types, decides whether the form may go on, and lists the
// materials this applicant's earlier cases left to reuse.
import { computed, ref, watch } from "vue";
import { check_id, reusable_materials, type Channel, type IdReport, type ReusableMaterial } from "./bindings";

export interface ApplicantForm {
  applicantId: string;
  idOverride: string;
  applicantName: string;
  phone: string;
  channel: Channel;
}

export function useApplicant(form: ApplicantForm) {
  const idReport = ref<IdReport | null>(null);
  const reusable = ref<ReusableMaterial[]>([]);

  // Check digits (GB 11643 / GB 32100) by the core; only the answer to the latest keystroke counts.
  let seq = 0;
  async function checkId() {
    const mine = ++seq;
    const v = form.applicantId.trim();
    if (!v) {
      idReport.value = null;
      return;
    }
    const r = await check_id(v);
    if (mine === seq) idReport.value = r;
  }
  watch(() => form.applicantId, checkId);

  // A person or an organisation with a valid number, or an invalid one the clerk vouches for.
  const idOk = computed(() => {
    const r = idReport.value;
    if (!r) return false;
    if (r.valid) return r.kind === "ResidentId" || r.kind === "CreditCode";
    return r.overridable && form.idOverride.trim() !== "";
  });
  const applicantOk = computed(() => idOk.value && form.applicantName.trim() !== "");

  async function loadReusable() {
    reusable.value = [];
    if (!idReport.value?.valid) return;
    try {
      reusable.value = await reusable_materials(idReport.value.normalized);
    } catch {
      reusable.value = [];
    }
  }
  const reuseOptions = (name: string, isReusable: boolean) =>
    isReusable ? reusable.value.filter((r) => r.name === name) : [];

  return { idReport, checkId, idOk, applicantOk, loadReusable, reuseOptions };
}
