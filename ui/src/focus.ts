import type { Directive } from "vue";

// `v-focus`: focuses the field once, when it is mounted. Used instead of the HTML `autofocus`
// attribute, which WebKit applies whenever it gets round to flushing its autofocus candidates —
// under load that was after the clerk had moved on, and it pulled the caret back mid-word.
export const vFocus: Directive<HTMLElement> = {
  mounted(el) {
    const field = el.matches("input, textarea, button") ? el : el.querySelector<HTMLElement>("input, textarea");
    field?.focus();
  },
};
