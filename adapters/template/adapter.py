#!/usr/bin/env python3
"""TEMPLATE for a Yichuang (一窗) adapter — copy this directory and fill in the TODOs.

Protocol: docs/adapter-protocol.md (JSON lines over stdio, protocol version 1).
A complete working example: adapters/examples/python/example_adapter.py.
Check your adapter with the conformance kit before connecting it to a workstation.

Standard library only, so it runs on a locked-down service-hall PC.
"""

import hashlib
import json
import sys

PROTOCOL_VERSION = 1          # must equal the host's; a mismatch is an "auth" error
NAME = "my-department"        # TODO: your adapter's name
VERSION = "0.1.0"             # TODO: your adapter's version

# JSON Schema of your settings. Mark secrets with "secret": true: the host then never shows or
# logs them. Settings (secrets included) arrive in the hello message on stdin, never in argv.
CONFIG_SCHEMA = {
    "type": "object",
    "required": ["endpoint"],
    "properties": {
        "endpoint": {"type": "string", "description": "TODO: far system address"},
        "password": {"type": "string", "secret": True},
    },
}


def log(*args):
    # Logs go to STDERR. Anything on stdout that is not a protocol message fails the request.
    print(NAME + ":", *args, file=sys.stderr, flush=True)


def send(msg):
    # One JSON object per line, "\n" only, UTF-8, flushed at once.
    sys.stdout.buffer.write((json.dumps(msg, ensure_ascii=False) + "\n").encode("utf-8"))
    sys.stdout.buffer.flush()


def error(rid, cls, message, detail="", origin="far_system"):
    # cls: "retryable" (back off), "permanent" (quarantine), "auth" (operator must act).
    # origin: "transport", "gateway", "far_system" or "adapter". message: Chinese, for staff.
    send({"type": "error", "id": rid, "class": cls, "origin": origin,
          "message": message, "detail": detail})


def canonical_sha256(payload):
    # Must match the host's payload_sha256: compact JSON, sorted keys, UTF-8.
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def to_row(item):
    """TODO: map an outgoing item to the far system's record.

    Every item of a case carries the case snapshot at payload["case"] (docs/adapter-protocol.md
    §3.8), so map from the item alone: keep no memory of earlier items. Kinds: "case.<action>"
    (case.file, case.accept, case.approve, ...) and "document.sealed" on stream "cases",
    "case.status" on stream "replies". Payload shapes: docs/schemas/.
    """
    p = item["payload"]
    case = p["case"]
    return {
        "YWLSH": item["key"],                         # idempotency key: dedupe on it
        "BJBH": case["case_no"],                      # 办件编号
        "SXH": item["seq"],                           # per-case order
        "YWLX": item["kind"],
        "SXBM": case["item"]["code"],                 # 事项编码
        "SXMC": case["item"]["name"],
        "BLBM": case["department"],
        "SQRLX": case["applicant"]["kind"],           # person | legal_person
        "SQRZJHM": case["applicant"]["id"],
        "SQRMC": case["applicant"]["name"],
        "BJZT": p.get("state_after") or p.get("state"),   # case.status carries "state"
        "FSSJ": item["occurred_at"],
        "NRZY": item["payload_sha256"],
    }


class FarSystem:
    """TODO: replace with calls to the department's system."""

    def __init__(self, settings):
        self.settings = settings

    def lookup(self, key):
        """Return the payload hash the far side holds for `key`, or None."""
        raise NotImplementedError

    def store(self, item):
        """Durably store one item (e.g. to_row(item)). Raise OSError on a far-side failure.
        Only return once it is really stored."""
        raise NotImplementedError

    def fetch(self, stream, cursor, limit):
        """Return (items, next_cursor). Re-fetching from any cursor you returned must give
        the same items after it: the host saves a cursor only after storing the items."""
        raise NotImplementedError


def main():
    far = None
    for raw in sys.stdin.buffer:       # splits on b"\n" only (never on U+2028)
        if not raw.strip():
            continue
        try:
            msg = json.loads(raw.decode("utf-8"))
        except ValueError as e:
            log("malformed line from host:", e)
            continue
        kind, rid = msg.get("type"), msg.get("id")

        if kind == "hello":
            if msg.get("protocol_version") != PROTOCOL_VERSION:
                error(rid, "auth", "协议版本不匹配", str(msg.get("protocol_version")), "adapter")
                continue
            settings = msg.get("config") or {}
            if not settings.get("endpoint"):
                error(rid, "auth", "缺少设置项 endpoint", origin="adapter")
                continue
            far = FarSystem(settings)
            send({"type": "hello", "id": rid, "protocol_version": PROTOCOL_VERSION,
                  "name": NAME, "version": VERSION,
                  "capabilities": {"push": True, "pull": True, "health": True},
                  # Streams the host may PULL from you (incoming items), e.g. ["opinions"].
                  # What you are sent is the host's routing (yc adapter add --streams cases).
                  "streams": [],                   # TODO
                  "config_schema": CONFIG_SCHEMA})

        elif kind == "push":
            items = msg.get("items") or []
            acked, rejected = [], []
            try:
                for n, item in enumerate(items, 1):
                    if n % 100 == 0:
                        # Keep the host's liveness timer happy during long batches.
                        send({"type": "progress", "id": rid, "done": n})
                    key = item["key"]
                    digest = canonical_sha256(item["payload"])
                    if digest != item.get("payload_sha256"):
                        rejected.append({"key": key, "class": "permanent",
                                         "message": "内容摘要与内容不符"})
                        continue
                    held = far.lookup(key)
                    if held == digest:
                        acked.append(key)          # already there: ack again, store nothing
                    elif held is not None:
                        rejected.append({"key": key, "class": "permanent",
                                         "message": "同一业务键已以不同内容提交，拒绝覆盖"})
                    else:
                        far.store(item)            # ack only what is durably stored
                        acked.append(key)
            except NotImplementedError:
                error(rid, "auth", "模板尚未实现推送（FarSystem.store/lookup）", origin="adapter")
                continue
            except OSError as e:                   # TODO: map your far system's failures
                if not acked:
                    error(rid, "retryable", "对端暂时不可用，稍后重试", str(e), "transport")
                    continue
                # Partial outcome (protocol §3.2): the far side failed after storing some items.
                # Ack those, reject the rest as retryable: only the rest is sent again.
                answered = set(acked) | {r["key"] for r in rejected}
                rejected += [{"key": i["key"], "class": "retryable",
                              "message": "对端暂时不可用，稍后重试", "detail": str(e)}
                             for i in items if i["key"] not in answered]
            send({"type": "push_result", "id": rid, "acked": acked, "rejected": rejected})

        elif kind == "pull":
            try:
                items, next_cursor = far.fetch(msg["stream"], msg.get("cursor"), msg["max"])
            except NotImplementedError:
                error(rid, "auth", "模板尚未实现拉取（FarSystem.fetch）", origin="adapter")
                continue
            send({"type": "pull_result", "id": rid, "items": items, "next_cursor": next_cursor})

        elif kind == "ack":
            # TODO: tell the far side the host stored everything up to msg["cursor"], if it cares.
            send({"type": "ack_result", "id": rid})

        elif kind == "health":
            # TODO: a cheap read-only probe of the far system.
            send({"type": "health_result", "id": rid, "status": "ok", "message": ""})

        elif kind == "shutdown":
            send({"type": "shutdown_result", "id": rid})
            return

        else:
            log("ignoring unknown message type", kind)   # never fatal


if __name__ == "__main__":
    main()
