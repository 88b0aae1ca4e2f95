// Screen lock after idle: a counter window is often left while the clerk steps away.
const KEY = "yc.idleMinutes";
export const DEFAULT_IDLE_MINUTES = 10;

export function idleMinutes(): number {
  const v = Number(localStorage.getItem(KEY));
  return Number.isFinite(v) && v >= 1 ? v : DEFAULT_IDLE_MINUTES;
}

export function setIdleMinutes(n: number): void {
  localStorage.setItem(KEY, String(Math.max(1, Math.round(n))));
}

/** Calls `onIdle` after `minutes()` without input; returns a stop function. */
export function watchIdle(minutes: () => number, onIdle: () => void, target: EventTarget = window): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(onIdle, minutes() * 60_000);
  };
  const events = ["mousemove", "mousedown", "keydown", "wheel", "touchstart"];
  for (const e of events) target.addEventListener(e, arm, { passive: true });
  arm();
  return () => {
    if (timer) clearTimeout(timer);
    for (const e of events) target.removeEventListener(e, arm);
  };
}
