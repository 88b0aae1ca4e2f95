#!/usr/bin/env bash
# Builds the Debian package of the desktop workstation: target/package/yichuang_<VERSION>_<ARCH>.deb
# with yc-desktop (一窗受理工作台), the yc CLI, the desktop entry, icons in every hicolor size, Chinese
# man pages and the administrator's guide. No tool is downloaded: cargo, dpkg-deb, dpkg-shlibdeps
# (dpkg-dev, from build-essential) and python3 come from scripts/deps.sh. See installer/README.md.
#
# Usage: installer/build-deb.sh           (from anywhere; `make package` runs it after building ui/dist)
# Env:   CARGO (default cargo), YC_PACKAGE_NO_BUILD=1 packages the binaries already in target/dist.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
CARGO="${CARGO:-cargo}"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
bin_dir="$target_dir/dist"
out_dir="$root/target/package"

pkg=yichuang
version="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' src-tauri/tauri.conf.json)"
arch="$(dpkg --print-architecture)"
stage="$out_dir/${pkg}_${version}_${arch}"
deb="$out_dir/${pkg}_${version}_${arch}.deb"

[ -f ui/dist/index.html ] || { echo "ui/dist is missing: the desktop embeds it. Run: make ui (or make package)" >&2; exit 1; }

if [ "${YC_PACKAGE_NO_BUILD:-}" != 1 ]; then
  echo "==> cargo build --profile dist (release code, no debug info, stripped)"
  "$CARGO" build --profile dist --locked -p yc -p yc-desktop
fi
for b in yc yc-desktop; do
  [ -x "$bin_dir/$b" ] || { echo "$bin_dir/$b is missing" >&2; exit 1; }
done

echo "==> staging $stage"
rm -rf "$stage" "$deb"
install -d "$stage/DEBIAN" "$stage/usr/bin" "$stage/usr/share/applications" \
  "$stage/usr/share/man/man1" "$stage/usr/share/doc/$pkg" "$stage/usr/share/icons/hicolor"
install -m 0755 "$bin_dir/yc-desktop" "$bin_dir/yc" "$stage/usr/bin/"
install -m 0644 installer/yichuang.desktop "$stage/usr/share/applications/$pkg.desktop"
python3 installer/icons.py hicolor src-tauri/icons/icon.png "$stage/usr/share/icons/hicolor"
for m in yc yc-desktop; do
  python3 installer/manpage.py "installer/$m.1" "$stage/usr/share/man/man1/$m.1.gz"
done
install -m 0644 docs/ADMIN.md docs/adapter-protocol.md docs/vertical-xml.md docs/catalog-format.md \
  docs/calendar-format.md "$stage/usr/share/doc/$pkg/"
install -m 0644 installer/debian/copyright "$stage/usr/share/doc/$pkg/copyright"
gzip -9n <installer/debian/changelog >"$stage/usr/share/doc/$pkg/changelog.Debian.gz"
chmod 0644 "$stage/usr/share/doc/$pkg/changelog.Debian.gz"

# Shared-library dependencies as Debian computes them (versioned), from the binaries themselves.
# dpkg-shlibdeps wants a debian/control beside it; it only reads the package stanza's name.
shlibs_dir="$(mktemp -d)"
trap 'rm -rf "$shlibs_dir"' EXIT
mkdir "$shlibs_dir/debian"
printf 'Source: %s\n\nPackage: %s\nArchitecture: any\n' "$pkg" "$pkg" >"$shlibs_dir/debian/control"
shlibs="$(cd "$shlibs_dir" && dpkg-shlibdeps -O -e"$stage/usr/bin/yc-desktop" -e"$stage/usr/bin/yc" 2>/dev/null)"
shlibs="${shlibs#shlibs:Depends=}"
[ -n "$shlibs" ] || { echo "dpkg-shlibdeps found no dependencies" >&2; exit 1; }
# Not linked, so not seen above: the status icon's library is opened at run time (dlopen), and
# the sealed PDFs and the UI need the Noto CJK font.
depends="$shlibs, libayatana-appindicator3-1, fonts-noto-cjk"

installed_kib="$(du -sk --exclude=DEBIAN "$stage" | cut -f1)"
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@DEPENDS@/$depends/" \
  -e "s/@INSTALLED_SIZE@/$installed_kib/" installer/debian/control.in >"$stage/DEBIAN/control"
(cd "$stage" && find usr -type f -print0 | sort -z | xargs -0 md5sum) >"$stage/DEBIAN/md5sums"
chmod 0644 "$stage/DEBIAN/control" "$stage/DEBIAN/md5sums"

# Reproducible: every file dated at the last commit.
SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}"
export SOURCE_DATE_EPOCH
find "$stage" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "==> $deb"
ls -l "$bin_dir/yc" "$bin_dir/yc-desktop" "$deb" | awk '{printf "    %10d  %s\n", $5, $NF}'
dpkg-deb --field "$deb" Package Version Architecture Installed-Size Depends | sed 's/^/    /'
