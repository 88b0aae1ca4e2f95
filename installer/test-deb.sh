#!/usr/bin/env bash
# The package test (`make package-test`): installs target/package/yichuang_*.deb with dpkg, checks
# the installed files, the desktop entry, the declared dependencies and the man pages, makes a
# workstation with the installed yc, launches the installed app under Xvfb to its login screen
# (screenshot: target/package/screenshots/installed-login.png), launches it again as the desktop
# entry does on a machine with no workstation yet and expects the first-run wizard (screenshot:
# installed-first-run.png), then removes the package with dpkg -r and checks nothing of it is left
# in /usr.
#
# It changes the machine's installed packages, so it runs as root only (CI: root on a throwaway
# machine); otherwise it says so and stops with status 0. It refuses to run where yichuang is
# already installed (that installation is not ours to remove).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
pkg=yichuang

if [ "$(id -u)" -ne 0 ]; then
  echo "SKIP package-test: installing a .deb needs root (CI runs as root on a throwaway machine)."
  echo "     Run it as root on a machine you can change: sudo make package-test"
  exit 0
fi
shopt -s nullglob
debs=(target/package/${pkg}_*.deb)
shopt -u nullglob
((${#debs[@]} == 1)) || { echo "need exactly one target/package/${pkg}_*.deb (make package): ${debs[*]:-none}" >&2; exit 1; }
deb="$root/${debs[0]}"
if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "installed"; then
  echo "$pkg is already installed here: remove it first (dpkg -r $pkg); this test will not touch it." >&2
  exit 1
fi

passed=0 failed=0
ok() { echo "  ok   $*"; passed=$((passed + 1)); }
bad() { echo "  FAIL $*"; failed=$((failed + 1)); }
check() { local what="$1"; shift; if "$@" >/dev/null 2>&1; then ok "$what"; else bad "$what"; fi; }

tmp="$(mktemp -d)"
installed=0
cleanup() {
  if ((installed)); then dpkg -r "$pkg" >/dev/null 2>&1 || true; dpkg -P "$pkg" >/dev/null 2>&1 || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

ours() { find /usr \( -name "*$pkg*" -o -name yc -o -name yc-desktop -o -name 'yc.1*' -o -name 'yc-desktop.1*' \) 2>/dev/null | sort; }
ours >"$tmp/before"

t0=$SECONDS
echo "==> dpkg -i $(basename "$deb")"
dpkg -i "$deb"
installed=1
dpkg-query -W -f='${Status}\n' "$pkg" | grep -q "install ok installed" && ok "dpkg says installed" || bad "dpkg says installed"

echo "==> installed files"
for f in /usr/bin/yc /usr/bin/yc-desktop; do
  check "$f is executable" test -x "$f"
  check "$f links against only present libraries" bash -c "! ldd $f | grep -q 'not found'"
  check "$f carries no debug info" bash -c "! readelf -S $f | grep -q '\.debug_'"
  check "$f is stripped (no symbol table)" bash -c "! readelf -S $f | grep -q '\.symtab'"
done
check "yc --version is the package's version" bash -c "yc --version | grep -q \"$(dpkg-deb -f "$deb" Version)\""
check "yc --help" yc --help
for n in 16 24 32 48 64 128 256 512; do
  icon=/usr/share/icons/hicolor/${n}x${n}/apps/$pkg.png
  check "icon ${n}x${n} is a ${n}x${n} PNG" python3 - "$icon" "$n" <<'EOF'
import struct, sys
d = open(sys.argv[1], "rb").read(24)
assert d[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", d[16:24]) == (int(sys.argv[2]),) * 2
EOF
done
for m in yc yc-desktop; do
  check "man $m finds /usr/share/man/man1/$m.1.gz" bash -c "[ \"\$(man -w $m)\" = /usr/share/man/man1/$m.1.gz ]"
  check "man $m renders in Chinese without warnings" bash -c \
    "out=\$(LANG=C.UTF-8 MANWIDTH=100 man --warnings $m 2>&1) && grep -q 名称 <<<\"\$out\" && ! grep -q warning <<<\"\$out\""
done
for f in ADMIN.md adapter-protocol.md copyright changelog.Debian.gz; do
  check "/usr/share/doc/$pkg/$f" test -s "/usr/share/doc/$pkg/$f"
done

echo "==> desktop entry"
desktop=/usr/share/applications/$pkg.desktop
if command -v desktop-file-validate >/dev/null; then
  check "desktop-file-validate $desktop" desktop-file-validate "$desktop"
else
  bad "desktop-file-validate is missing (scripts/deps.sh test installs desktop-file-utils)"
fi
check "Name=一窗受理工作台" grep -qx 'Name=一窗受理工作台' "$desktop"
check "Exec runs /usr/bin/yc-desktop" bash -c "[ \"\$(command -v \"\$(sed -n 's/^Exec=//p' $desktop | cut -d' ' -f1)\")\" = /usr/bin/yc-desktop ]"
check "Icon names the installed hicolor icon" test -f "/usr/share/icons/hicolor/48x48/apps/$(sed -n 's/^Icon=//p' "$desktop").png"

echo "==> declared dependencies"
depends="$(dpkg-query -W -f='${Depends}' "$pkg")"
for d in libc6 libwebkit2gtk-4.1-0 libgtk-3-0 libayatana-appindicator3-1 fonts-noto-cjk; do
  check "Depends: $d" grep -qE "(^|, )$d( |,|$)" <<<"$depends"
done

echo "==> the installed yc makes a workstation"
data="$tmp/data"
if yc --data "$data" init --region 440305 --workstation W01 --name "某镇便民服务中心" \
  --admin-password 'Pkg-test-2026' >"$tmp/init.log" 2>&1 \
  && YC_PASSWORD='Pkg-test-2026' yc --data "$data" status >>"$tmp/init.log" 2>&1 \
  && grep -q '某镇便民服务中心（440305-W01）' "$tmp/init.log"; then
  ok "yc init + yc status"
else
  bad "yc init + yc status"; cat "$tmp/init.log"
fi

echo "==> the installed app under Xvfb, to its login screen"
shots="$root/target/package/screenshots"
mkdir -p "$shots"
rm -f "$shots/installed-login.png"
if ! command -v tauri-driver >/dev/null || ! command -v WebKitWebDriver >/dev/null || ! command -v xvfb-run >/dev/null; then
  bad "tauri-driver, WebKitWebDriver and xvfb-run are needed (make deps-test)"
elif (cd "$tmp" && HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/data-home" \
  XDG_CACHE_HOME="$tmp/cache" YC_NO_SYNC=1 xvfb-run -a -s "-screen 0 1366x768x24" \
  python3 "$root/installer/launch-check.py" /usr/bin/yc-desktop "$data" "某镇便民服务中心" "$shots/installed-login.png"); then
  ok "login screen of /usr/bin/yc-desktop (screenshot: target/package/screenshots/installed-login.png)"
else
  bad "login screen of /usr/bin/yc-desktop"
fi

echo "==> the installed app with no workstation yet (as the menu starts it): the first-run wizard"
rm -f "$shots/installed-first-run.png"
if ! command -v tauri-driver >/dev/null || ! command -v WebKitWebDriver >/dev/null || ! command -v xvfb-run >/dev/null; then
  bad "tauri-driver, WebKitWebDriver and xvfb-run are needed (make deps-test)"
elif (cd "$tmp" && HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/fresh-data-home" \
  XDG_CACHE_HOME="$tmp/cache" YC_NO_SYNC=1 xvfb-run -a -s "-screen 0 1366x768x24" \
  python3 "$root/installer/launch-check.py" /usr/bin/yc-desktop - "首次设置" "$shots/installed-first-run.png" --first-run); then
  ok "first-run wizard of /usr/bin/yc-desktop without --data (screenshot: target/package/screenshots/installed-first-run.png)"
else
  bad "first-run wizard of /usr/bin/yc-desktop without --data"
fi
check "the wizard wrote nothing before it was filled in" bash -c "[ -z \"\$(ls -A '$tmp/fresh-data-home/yichuang' 2>/dev/null)\" ]"

echo "==> dpkg -r $pkg"
dpkg -r "$pkg"
installed=0
check "dpkg no longer lists it as installed" bash -c "! dpkg-query -W -f='\${Status}' $pkg 2>/dev/null | grep -q 'ok installed'"
left=()
# Every file (not directory: those may be shared) the package holds, and its own doc directory.
while read -r f; do [ -e "$f" ] && left+=("$f"); done < <(dpkg-deb --fsys-tarfile "$deb" | tar -t | grep -v '/$' | sed 's#^\./#/#')
[ -e "/usr/share/doc/$pkg" ] && left+=("/usr/share/doc/$pkg")
if ((${#left[@]} == 0)); then ok "every file of the package is gone"; else bad "left after dpkg -r: ${left[*]}"; fi
ours >"$tmp/after"
if diff -q "$tmp/before" "$tmp/after" >/dev/null; then ok "nothing named $pkg, yc or yc-desktop left in /usr"; else
  bad "left in /usr:"; diff "$tmp/before" "$tmp/after" | sed -n 's/^> /       /p'
fi
dpkg -P "$pkg" >/dev/null 2>&1 || true

echo "package-test: $((SECONDS - t0)) s (install, checks, launch, removal)"
echo "$passed passed, $failed failed"
((failed == 0))
