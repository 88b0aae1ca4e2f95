#!/usr/bin/env bash
# Runs cargo-fuzz targets (fuzz/) for a fixed time each, seeded from the repo corpus, and prints
# per target: executions, exec/s, coverage (cov:, ft:), corpus size, and any crash artefact.
# Usage (from the repo root; `make fuzz` calls it after building):
#   scripts/fuzz.sh SECONDS SANITIZER TARGET...
# Exit status 1 when a target crashed, leaked or timed out. docs/fuzzing.md.
set -uo pipefail
seconds="$1"; sanitizer="$2"; shift 2
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root/fuzz"

# The repo corpus directory each target is seeded from.
seed_dir() {
  case "$1" in
    backup_manifest) echo backup-manifest ;;
    adapter_lines) echo adapter-lines ;;
    serve_lines) echo serve-lines ;;
    soap_replies) echo soap-replies ;;
    city_json) echo city-json ;;
    sealed_pdf) echo sealed-pdf ;;
    *) echo "$1" ;;
  esac
}

# file_drop reads its input as "what to do" + content (packet_edit_from_bytes in
# tests/fuzzkit/src/adapters.rs): the repo's file-drop corpus names the file by prefix instead,
# so its seeds are derived here (plus the empty input: the untouched packet).
file_drop_seeds() {
  local out=seeds/file_drop f name op
  rm -rf "$out"; mkdir -p "$out"
  : > "$out/untouched"
  for f in "$root"/tests/fuzz-corpus/file-drop/*; do
    name="$(basename "$f")"
    case "$name" in
      bag-info-*) op='\001' ;; items-*) op='\002' ;; tagmanifest-*) op='\004' ;; manifest-*) op='\003' ;;
      *) continue ;;
    esac
    { printf "$op"; cat "$f"; } > "$out/$name"
  done
  echo "$out"
}

failed=()
printf '%-16s %12s %9s %7s %7s %6s  %s\n' target executions exec/s cov ft corpus crash
for t in "$@"; do
  mkdir -p "corpus/$t"
  if [ "$t" = file_drop ]; then seeds="$(file_drop_seeds)"; else seeds="$root/tests/fuzz-corpus/$(seed_dir "$t")"; fi
  log="artifacts/$t.log"; mkdir -p artifacts
  cargo +nightly fuzz run -s "$sanitizer" "$t" "corpus/$t" "$seeds" -- \
    -max_total_time="$seconds" -timeout=25 -rss_limit_mb=4096 -print_final_stats=1 >"$log" 2>&1
  rc=$?
  execs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)"
  rate="$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)"
  last="$(grep -E '^#[0-9]+' "$log" | tail -1)"
  cov="$(grep -o 'cov: [0-9]*' <<<"$last" | grep -o '[0-9]*')"
  ft="$(grep -o 'ft: [0-9]*' <<<"$last" | grep -o '[0-9]*')"
  corp="$(grep -o 'corp: [0-9]*' <<<"$last" | grep -o '[0-9]*')"
  crash="$(grep -o 'Test unit written to [^ ]*' "$log" | sed 's/Test unit written to //' | tr '\n' ' ')"
  printf '%-16s %12s %9s %7s %7s %6s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "${crash:--}"
  if [ $rc -ne 0 ]; then
    failed+=("$t")
    echo "    $t failed (exit $rc): fuzz/$log" >&2
    grep -m3 -E 'panicked at|ERROR: libFuzzer' "$log" | sed 's/^/    /' >&2
  fi
done
if ((${#failed[@]})); then
  echo "crashed: ${failed[*]} — copy each artefact into tests/fuzz-corpus/<dir>/, fix, keep it (docs/fuzzing.md)" >&2
  exit 1
fi
