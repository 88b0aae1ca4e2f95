#!/usr/bin/env python3
"""A deliberately BROKEN adapter: the conformance kit must fail it with clear messages.

What is wrong with it (do not copy):
* it prints its logs to stdout, mixed with protocol messages;
* it does not dedupe: the same key is stored again, and a changed payload is acked;
* its health probe sleeps past the liveness timeout;
* it writes the far side in place (a crash mid-write corrupts it).
"""

import json
import sys
import time


def send(msg):
    sys.stdout.write(json.dumps(msg) + "\n")
    sys.stdout.flush()


def main():
    state = {"received": [], "inbox": {}}
    path = None
    for line in sys.stdin:
        msg = json.loads(line)
        rid = msg.get("id")
        kind = msg.get("type")
        if kind == "hello":
            path = (msg.get("config") or {}).get("state_file")
            try:
                with open(path) as f:
                    state = json.load(f)
            except (OSError, ValueError, TypeError):
                pass
            send({"type": "hello", "id": rid, "protocol_version": 1, "name": "broken",
                  "version": "0.0.1", "capabilities": {"push": True, "pull": True, "health": True},
                  "streams": ["cases"]})
        elif kind == "push":
            keys = []
            for item in msg["items"]:
                state["received"].append(item)  # BUG: no dedupe, no hash check
                keys.append(item["key"])
            if path:
                with open(path, "w") as f:  # BUG: not atomic
                    json.dump(state, f)
            send({"type": "push_result", "id": rid, "acked": keys, "rejected": []})
        elif kind == "pull":
            send({"type": "pull_result", "id": rid, "items": [], "next_cursor": None})
        elif kind == "health":
            time.sleep(3)  # BUG: slower than any liveness timeout
            print("health checked")  # BUG: log line on stdout
            sys.stdout.flush()
            send({"type": "health_result", "id": rid, "status": "ok"})
        elif kind == "shutdown":
            send({"type": "shutdown_result", "id": rid})
            return


if __name__ == "__main__":
    main()
