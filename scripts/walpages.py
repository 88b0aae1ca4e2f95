# Which tables/indexes the frames of a plain store's WAL belong to, commit by commit:
#   python3 scripts/walpages.py DATA/yichuang.db   (keep another connection open while filing, so
#   the last one closing does not checkpoint the WAL away; docs/benchmarks.md, issue 13)
import sqlite3, struct, sys, collections
db, wal = sys.argv[1], sys.argv[1] + "-wal"
data = open(wal, "rb").read()
page_size = struct.unpack(">I", data[8:12])[0]
frames = []
off = 32
while off + 24 + page_size <= len(data):
    pgno, commit = struct.unpack(">II", data[off:off + 8])
    frames.append((pgno, commit))
    off += 24 + page_size
# copy the db + wal read-only snapshot for dbstat (which reads through the WAL, fine)
conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
owner = {}
for name, pageno in conn.execute("SELECT name, pageno FROM dbstat"):
    owner[pageno] = name
commits = [i for i, (_, c) in enumerate(frames) if c]
print(f"page size {page_size}, {len(frames)} frames, {len(commits)} commits")
start = 0
for n, end in enumerate(commits):
    tx = frames[start:end + 1]
    c = collections.Counter(owner.get(p, "page1/free" if p == 1 else "?") for p, _ in tx)
    print(f"commit {n}: {len(tx)} frames:", ", ".join(f"{k}×{v}" for k, v in c.most_common()))
    start = end + 1
