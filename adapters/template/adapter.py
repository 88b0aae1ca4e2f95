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


class FarSystem:
    """TODO: replace with calls to the department's system."""

    def __init__(self, settings):
        self.settings = settings

    def lookup(self, key):
        """Return the payload hash the far side holds for `key`, or None."""
        raise NotImplementedError

    def store(self, item):
        """Durably store one item. Raise on failure. Only return once it is really stored."""
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
                  "streams": ["cases"],            # TODO
                  "config_schema": CONFIG_SCHEMA})

        elif kind == "push":
            acked, rejected = [], []
            try:
                for n, item in enumerate(msg.get("items") or [], 1):
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
                error(rid, "retryable", "对端暂时不可用，稍后重试", str(e), "transport")
                continue
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
