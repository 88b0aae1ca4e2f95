// Start-up marks read by `make bench` (tests/e2e/src/bin/bench.rs) through WebDriver: the page's
// own clock, so the figures carry no WebDriver polling delay. The first mark of a name wins.
export function mark(name: "login-ready" | "login-submit" | "login-done" | "worklist-ready"): void {
  const full = `yc:${name}`;
  if (name !== "login-submit" && name !== "login-done" && performance.getEntriesByName(full).length) return;
  performance.mark(full);
}
