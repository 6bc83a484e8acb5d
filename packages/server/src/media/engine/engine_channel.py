"""The engine side of the control channel (see engineProcess.ts): JSON lines on stdin/stdout.

Commands are read on a thread and run on the GLib main loop, one at a time, in order. A handler
returns a dict (the result) or raises EngineError(code, message). When stdin closes (Node asked
us to stop, or Node died) on_close runs on the main loop and must end it.
"""
import ctypes
import json
import os
import signal
import sys
import threading
import traceback

from gi.repository import GLib

_out_lock = threading.Lock()


class EngineError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def log(*parts):
    print(*parts, file=sys.stderr, flush=True)


def send(obj):
    line = json.dumps(obj, separators=(",", ":"))
    with _out_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def event(name, **fields):
    """Unsolicited event to Node. Safe from any thread."""
    send({"event": name, **fields})


def die_with_parent():
    """The engine must not outlive Node: the kernel kills us if our parent dies (PR_SET_PDEATHSIG)."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def exit_soon(seconds):
    """Once Node closed stdin, finishing up may not hang us: exit regardless after a while."""
    t = threading.Timer(seconds, lambda: os._exit(0))
    t.daemon = True
    t.start()


def serve(handlers, on_close):
    """Starts reading commands; handlers maps cmd name -> fn(msg) -> dict."""
    die_with_parent()

    def run(msg):
        mid = msg.get("id")
        fn = handlers.get(msg.get("cmd"))
        try:
            if fn is None:
                raise EngineError("invalid_params", "unknown command %r" % msg.get("cmd"))
            result = fn(msg)
            send({"id": mid, "ok": True, "result": result or {}})
        except EngineError as e:
            send({"id": mid, "ok": False, "error": {"code": e.code, "message": e.message}})
        except Exception as e:  # a bug in the engine: report it, keep running
            log(traceback.format_exc())
            send({"id": mid, "ok": False, "error": {"code": "media_error", "message": "%s: %s" % (type(e).__name__, e)}})
        return False

    def reader():
        for line in sys.stdin:
            line = line.strip()
            if not line:
                continue
            try:
                msg = json.loads(line)
            except ValueError:
                log("not JSON: %r" % line[:200])
                continue
            GLib.idle_add(run, msg)
        GLib.idle_add(lambda: (on_close(), False)[1])

    threading.Thread(target=reader, daemon=True).start()
    event("ready")
