#!/usr/bin/env python3
"""What a binary's size is made of, without cargo-bloat: ELF sections (readelf) and, for a binary
that still has its symbol table, code and read-only data summed per crate from the symbol names
(nm -S -C). Attribution is by the first path segment of each demangled name, so a generic
function counts for the crate that defines it, wherever it was instantiated; `<impl X for Y>`
counts for Y's crate. Symbols with no crate prefix (C code: SQLite, ring's assembly) are "[C/asm]".

    installer/size-report.py BINARY [TOP]
"""

import re
import subprocess
import sys
from collections import Counter


def mib(n):
    return f"{n / 1048576:8.2f} MiB"


def sections(path):
    out = subprocess.run(["readelf", "-SW", path], capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines():
        m = re.match(r"\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)", line)
        if m:
            rows.append((m.group(1), int(m.group(2), 16)))
    return rows


def crate_of(name):
    n = name.lstrip("<&*(").replace("dyn ", "").replace("mut ", "")
    if n.startswith("impl "):
        n = n[5:]
    m = re.match(r"([A-Za-z_][A-Za-z0-9_]*)::", n)
    if m:
        return m.group(1)
    return "[C/asm]"


def main(path, top=25):
    secs = sections(path)
    total = sum(s for _, s in secs)
    print(f"{path}: {total} bytes in sections")
    groups = Counter()
    for name, size in secs:
        if name.startswith(".debug"):
            groups["debug info (.debug_*)"] += size
        elif name in (".symtab", ".strtab"):
            groups["symbol table (.symtab/.strtab)"] += size
        elif name == ".text":
            groups["code (.text)"] += size
        elif name in (".rodata", ".data.rel.ro"):
            groups["read-only data (.rodata, .data.rel.ro)"] += size
        elif name in (".eh_frame", ".eh_frame_hdr", ".gcc_except_table"):
            groups["unwind tables (.eh_frame, …)"] += size
        else:
            groups["other"] += size
    for k, v in groups.most_common():
        print(f"  {mib(v)}  {k}")
    if not any(n == ".symtab" for n, _ in secs):
        print("  (stripped: no symbols to attribute code to crates)")
        return
    out = subprocess.run(["nm", "-S", "-C", "--size-sort", path], capture_output=True, text=True, check=True).stdout
    crates = Counter()
    for line in out.splitlines():
        parts = line.split(" ", 3)
        if len(parts) == 4 and parts[2] in "tTrRdD":
            crates[crate_of(parts[3])] += int(parts[1], 16)
    print(f"  code and data by crate (top {top}, from symbol names):")
    for k, v in crates.most_common(int(top)):
        print(f"    {mib(v)}  {k}")


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
