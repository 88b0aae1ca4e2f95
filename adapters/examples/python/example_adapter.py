#!/usr/bin/env python3
"""Example Yichuang (一窗) sync adapter speaking the JSON-lines protocol (docs/adapter-protocol.md).

Python 3 standard library only. Its "far system" is a JSON file (setting `state_file`):

    {"received": [ {item...}, ... ],        # append-only log of accepted items
     "index":    {"<key>": "<payload_sha256>"},
     "inbox":    {"<stream>": [ {InItem...}, ... ]}}

Rules it follows (the conformance kit checks them):
* stdout carries protocol messages only, one JSON object per line, framed on "\n"; logs go to stderr.
* dedupe by idempotency key with the payload hash: same key + same hash -> acked again, stored
  once; same key + different hash -> rejected, class "permanent".
* the far side is written atomically (temp file + fsync + rename) once per batch, and acks are sent
  only after that, so a crash mid-batch loses nothing that was acked.
* long batches send {"type":"progress"} so the host's liveness timeout does not fire.
* unknown message types and fields are ignored.
"""

import hashlib
import json
import os
import sys
import tempfile

PROTOCOL_VERSION = 1
NAME = "example-json-file"
VERSION = "1.0.0"
PROGRESS_EVERY = 100

CONFIG_SCHEMA = {
    "type": "object",
    "required": ["state_file"],
    "properties": {
        "state_file": {"type": "string", "description": "far side: a JSON file"},
        "token": {"type": "string", "secret": True, "description": "never logged"},
    },
}


def log(*args):
    print(NAME + ":", *args, file=sys.stderr, flush=True)


def send(msg):
    # ensure_ascii=False keeps Chinese readable; U+2028 stays raw, which is fine because the host
    # frames on b"\n" only. Written as UTF-8 bytes so the locale cannot change the encoding.
    sys.stdout.buffer.write((json.dumps(msg, ensure_ascii=False) + "\n").encode("utf-8"))
    sys.stdout.buffer.flush()


def canonical_sha256(payload):
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class FarSide:
    def __init__(self, path):
        self.path = path
        if os.path.exists(path):
            with open(path, "r", encoding="utf-8") as f:
                self.state = json.load(f)
        else:
            self.state = {}
        self.state.setdefault("received", [])
        self.state.setdefault("index", {})
        self.state.setdefault("inbox", {})

    def save(self):
        directory = os.path.dirname(os.path.abspath(self.path))
        fd, tmp = tempfile.mkstemp(prefix=".far-", dir=directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(self.state, f, ensure_ascii=False)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise


class Adapter:
    def __init__(self):
        self.far = None

    def error(self, rid, cls, message, detail=""):
        send({"type": "error", "id": rid, "class": cls, "origin": "adapter",
              "message": message, "detail": detail})

    def hello(self, msg):
        rid = msg.get("id")
        if msg.get("protocol_version") != PROTOCOL_VERSION:
            return self.error(rid, "auth", "协议版本不匹配：适配器支持 %d，主机为 %s"
                              % (PROTOCOL_VERSION, msg.get("protocol_version")))
        config = msg.get("config") or {}
        path = config.get("state_file")
        if not path:
            return self.error(rid, "auth", "缺少设置项 state_file（对端数据文件路径）")
        try:
            self.far = FarSide(path)
        except (OSError, ValueError) as e:
            return self.error(rid, "retryable", "无法读取对端数据文件", str(e))
        log("hello from", (msg.get("host") or {}).get("name"), "state", path)
        send({"type": "hello", "id": rid, "protocol_version": PROTOCOL_VERSION,
              "name": NAME, "version": VERSION,
              "capabilities": {"push": True, "pull": True, "health": True},
              "streams": ["cases", "applications.online"],
              "config_schema": CONFIG_SCHEMA})

    def push(self, msg):
        rid = msg.get("id")
        if self.far is None:
            return self.error(rid, "auth", "尚未握手")
        acked, rejected = [], []
        index = self.far.state["index"]
        received = self.far.state["received"]
        for n, item in enumerate(msg.get("items") or [], 1):
            if n % PROGRESS_EVERY == 0:
                send({"type": "progress", "id": rid, "done": n})
            key = item.get("key")
            if not isinstance(key, str) or not key:
                continue  # no key: cannot be reported; stays unconfirmed on the host
            digest = canonical_sha256(item.get("payload"))
            if digest != item.get("payload_sha256"):
                rejected.append({"key": key, "class": "permanent",
                                 "message": "内容摘要与内容不符，条目在途中被改动或编码有误",
                                 "detail": "computed %s, declared %s" % (digest, item.get("payload_sha256"))})
                continue
            held = index.get(key)
            if held is None:
                index[key] = digest
                received.append(item)
                acked.append(key)
            elif held == digest:
                acked.append(key)  # already held with the same content: ack again, keep one
            else:
                rejected.append({"key": key, "class": "permanent",
                                 "message": "同一业务键已以不同内容提交，拒绝覆盖",
                                 "detail": "held %s, got %s" % (held, digest)})
        try:
            self.far.save()
        except OSError as e:
            return self.error(rid, "retryable", "写入对端数据文件失败", str(e))
        send({"type": "push_result", "id": rid, "acked": acked, "rejected": rejected})

    def pull(self, msg):
        rid = msg.get("id")
        if self.far is None:
            return self.error(rid, "auth", "尚未握手")
        items = self.far.state["inbox"].get(msg.get("stream"), [])
        cursor = msg.get("cursor")
        try:
            start = int(cursor) if cursor else 0
        except ValueError:
            return self.error(rid, "permanent", "游标格式错误", repr(cursor))
        limit = max(0, int(msg.get("max") or 0))
        page = items[start:start + limit]
        send({"type": "pull_result", "id": rid, "items": page,
              "next_cursor": str(start + len(page))})

    def run(self):
        for raw in sys.stdin.buffer:  # binary iteration splits on b"\n" only
            line = raw.strip()
            if not line:
                continue
            try:
                msg = json.loads(line.decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as e:
                log("malformed line from host:", e)
                continue
            kind = msg.get("type") if isinstance(msg, dict) else None
            rid = msg.get("id") if isinstance(msg, dict) else None
            if kind == "hello":
                self.hello(msg)
            elif kind == "push":
                self.push(msg)
            elif kind == "pull":
                self.pull(msg)
            elif kind == "ack":
                send({"type": "ack_result", "id": rid})
            elif kind == "health":
                ok = self.far is not None and os.access(os.path.dirname(os.path.abspath(self.far.path)), os.W_OK)
                send({"type": "health_result", "id": rid, "status": "ok" if ok else "down",
                      "message": "对端数据文件可写" if ok else "对端数据文件不可写"})
            elif kind == "shutdown":
                send({"type": "shutdown_result", "id": rid})
                return
            else:
                log("ignoring unknown message type", kind)


if __name__ == "__main__":
    Adapter().run()
