#!/usr/bin/env python3
"""Example Yichuang (一窗) sync adapter speaking the JSON-lines protocol (docs/adapter-protocol.md).

Python 3 standard library only. Its "far system" is one of two (settings):

* `state_file`: a JSON file, for trying the protocol with nothing else running:

    {"received": [ {item...}, ... ],        # append-only log of accepted items
     "index":    {"<key>": "<payload_sha256>"},
     "inbox":    {"<stream>": [ {InItem...}, ... ]}}

* `base_url` (+ `source`, optional `token`): the city platform's exchange API over HTTP
  (docs/city-extranet.openapi.yaml; `yc-sim city` is its simulator): rows are POSTed to
  /api/v1/items:batch, the inbox is read from /api/v1/inbox. The platform dedupes on
  (source, row_id), so a re-sent batch after a crash is stored once.

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
import urllib.error
import urllib.parse
import urllib.request

PROTOCOL_VERSION = 1
NAME = "example-json-file"
VERSION = "1.0.0"
PROGRESS_EVERY = 100

CONFIG_SCHEMA = {
    "type": "object",
    "oneOf": [{"required": ["state_file"]}, {"required": ["base_url", "source"]}],
    "properties": {
        "state_file": {"type": "string", "description": "far side: a JSON file"},
        "base_url": {"type": "string", "description": "far side: the city platform, e.g. http://127.0.0.1:8801"},
        "source": {"type": "string", "description": "this workstation's source code on the platform"},
        "timeout_s": {"type": "number", "description": "HTTP timeout per request, seconds (default 30)"},
        "sample_inbox": {"type": "integer", "description": "file far side only: offer this many sample online "
                         "applications on applications.online when it has none (for the conformance kit)"},
        "token": {"type": "string", "secret": True, "description": "bearer token; never logged"},
    },
}


class FarError(Exception):
    """A whole-request failure, reported to the host as an `error` reply."""

    def __init__(self, cls, message, detail=""):
        super().__init__(message)
        self.cls, self.message, self.detail = cls, message, detail


class CityPlatform:
    """The city platform's exchange API (docs/city-extranet.openapi.yaml)."""

    # Row error types the platform returns and what the host should do with them.
    RETRYABLE = {"BUSY", "RATE_LIMITED", "TEMPORARY"}

    def __init__(self, base_url, source, token=None, timeout_s=30):
        self.base = base_url.rstrip("/")
        self.source, self.token, self.timeout = source, token, float(timeout_s)

    def request(self, method, path, body=None):
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", "application/json; charset=utf-8")
        if self.token:
            req.add_header("Authorization", "Bearer " + self.token)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                raw = resp.read(64 * 1024 * 1024)
        except urllib.error.HTTPError as e:
            text = e.read(2000).decode("utf-8", "replace")
            if e.code in (401, 403):
                raise FarError("auth", "市级平台拒绝了访问令牌，请管理员检查配置", "HTTP %d: %s" % (e.code, text))
            if e.code in (400, 413, 422):
                raise FarError("permanent", "市级平台拒收整批请求", "HTTP %d: %s" % (e.code, text))
            raise FarError("retryable", "市级平台暂时不可用，稍后重试", "HTTP %d: %s" % (e.code, text))
        except (urllib.error.URLError, OSError) as e:  # refused, reset, timeout
            raise FarError("retryable", "无法连接市级平台，稍后重试", repr(e))
        if not raw:
            return None
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            # The batch may have been stored: re-sending is safe (the platform dedupes).
            raise FarError("retryable", "市级平台应答无法解析（可能被截断），稍后重发", "%s; %r" % (e, raw[:300]))

    def push(self, items):
        keys = "\n".join(i["key"] for i in items)
        batch_no = "%s-%s" % (self.source, hashlib.sha256(keys.encode("utf-8")).hexdigest()[:16])
        rows = [{"row_id": i["key"], "operation": "I", "kind": i["kind"], "stream": i["stream"],
                 "case_no": i.get("case_no"), "seq": i["seq"], "operate_time": i["occurred_at"],
                 "payload": i["payload"], "payload_sha256": i["payload_sha256"]} for i in items]
        reply = self.request("POST", "/api/v1/items:batch",
                             {"batch_no": batch_no, "source": self.source, "rows": rows})
        acked, rejected = [], []
        for r in (reply or {}).get("results") or []:
            status, key = r.get("status"), r.get("row_id")
            if status in ("accepted", "duplicate"):
                acked.append(key)
            elif status == "rejected":
                et = r.get("error_type") or ""
                rejected.append({"key": key, "class": "retryable" if et in self.RETRYABLE else "permanent",
                                 "message": "市级平台拒收此项（%s）" % et, "detail": r.get("error_desc") or ""})
        return acked, rejected

    def pull(self, stream, cursor, limit):
        query = {"stream": stream, "limit": str(max(1, min(1000, limit)))}
        if cursor:
            query["cursor"] = cursor
        page = self.request("GET", "/api/v1/inbox?" + urllib.parse.urlencode(query)) or {}
        items = [{"key": i["row_id"], "stream": i.get("stream") or stream, "kind": i["kind"],
                  "case_no": i.get("case_no"), "occurred_at": i.get("operate_time"),
                  "payload": i.get("payload"), "payload_sha256": i.get("payload_sha256"),
                  "source": i.get("source")} for i in page.get("items") or []]
        return items, page.get("next_cursor")

    def ack(self, stream, cursor):
        self.request("POST", "/api/v1/inbox:ack", {"stream": stream, "cursor": cursor})

    def healthy(self):
        try:
            return (self.request("GET", "/api/v1/health") or {}).get("status") == "ok"
        except FarError:
            return False


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


def seed_samples(far, n):
    """Sample online applications for the pull side, so `yc adapter check` can test cursors
    (run it with --inbox applications.online=N). Deterministic, written once."""
    stream = "applications.online"
    if n <= 0 or far.state["inbox"].get(stream):
        return
    items = []
    for k in range(1, n + 1):
        payload = {"item_code": "SAMPLE-0001", "applicant_id": "11010519491231002X",
                   "applicant_name": "示例申请人%d" % k, "note": "示例网上申报（适配器样例数据）"}
        items.append({"key": "sample-app-%04d" % k, "stream": stream, "kind": "application.online",
                      "occurred_at": "2026-11-23T08:%02d:00+08:00" % (k % 60), "payload": payload,
                      "payload_sha256": canonical_sha256(payload), "source": "python-example"})
    far.state["inbox"][stream] = items
    far.save()


class Adapter:
    def __init__(self):
        self.far = None
        self.city = None

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
        if config.get("base_url"):
            if not config.get("source"):
                return self.error(rid, "auth", "缺少设置项 source（本工作站在市级平台的来源编码）")
            self.city = CityPlatform(config["base_url"], config["source"], config.get("token"),
                                     config.get("timeout_s", 30))
            log("hello from", (msg.get("host") or {}).get("name"), "city platform", config["base_url"])
        elif not path:
            return self.error(rid, "auth", "缺少设置项 state_file（对端数据文件路径）或 base_url（市级平台地址）")
        else:
            try:
                self.far = FarSide(path)
                seed_samples(self.far, int(config.get("sample_inbox") or 0))
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
        if self.city is not None:
            try:
                acked, rejected = self.city.push(msg.get("items") or [])
            except FarError as e:
                return send({"type": "error", "id": rid, "class": e.cls, "origin": "far_system",
                             "message": e.message, "detail": e.detail})
            return send({"type": "push_result", "id": rid, "acked": acked, "rejected": rejected})
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
        if self.city is not None:
            try:
                items, cursor = self.city.pull(msg.get("stream"), msg.get("cursor"), int(msg.get("max") or 0))
            except FarError as e:
                return send({"type": "error", "id": rid, "class": e.cls, "origin": "far_system",
                             "message": e.message, "detail": e.detail})
            return send({"type": "pull_result", "id": rid, "items": items, "next_cursor": cursor})
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
                if self.city is not None:
                    try:
                        self.city.ack(msg.get("stream"), msg.get("cursor"))
                    except FarError as e:
                        log("ack failed (the next pull repeats the page):", e.message, e.detail)
                send({"type": "ack_result", "id": rid})
            elif kind == "health" and self.city is not None:
                ok = self.city.healthy()
                send({"type": "health_result", "id": rid, "status": "ok" if ok else "down",
                      "message": "市级平台可达" if ok else "市级平台不可达"})
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
