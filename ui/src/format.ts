// Dates are shown in Beijing time whatever the machine's zone (the core stamps +08:00).
const dateTime = new Intl.DateTimeFormat("zh-CN", {
  timeZone: "Asia/Shanghai",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  hour12: false,
});

/** "2026-11-23T09:30:00.000+08:00" → "2026-11-23 09:30" (Beijing). */
export function beijingDateTime(stamp: string): string {
  const d = new Date(stamp);
  if (Number.isNaN(d.getTime())) return stamp;
  const parts = Object.fromEntries(dateTime.formatToParts(d).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

/** A plain date stays as it is (it is already a Beijing calendar day); null shows a dash. */
export function day(d: string | null | undefined): string {
  return d ?? "—";
}
