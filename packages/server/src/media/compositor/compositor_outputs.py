"""Compositor outputs. Each output is its own pipeline fed through appsrc from probes on the main
pipeline (the one H.264 + AAC encode, or the raw picture for previews), so an output that fails
(RTMP server gone, disk full) is stopped alone and the composite and other outputs go on.

Encoded outputs rewrite timestamps: an output starts at the first keyframe after it was added
(its time 0), and a pause leaves its interval out (on resume the next keyframe continues where
the pause began)."""
import os
import threading
import time
from urllib.parse import urlparse

import gi

gi.require_version("GstApp", "1.0")
from gi.repository import GLib, Gst, GstApp  # noqa: E402,F401  (GstApp: appsrc methods)

from engine_channel import EngineError, event, log
from gst_elements import make_element as _make

MAX_QUEUED_BYTES = 32 * 1024 * 1024
AUDIO_HOLD_NS = Gst.SECOND  # audio kept while waiting for a keyframe (audio reaches us before video)
_COPY = Gst.BufferCopyFlags.FLAGS | Gst.BufferCopyFlags.TIMESTAMPS | Gst.BufferCopyFlags.META | Gst.BufferCopyFlags.MEMORY
END_TIMEOUT_S = 5




class Output:
    """Common lifecycle: a private pipeline, its bus watched for errors, a final EOS on remove."""

    kind = ""

    def __init__(self, output_id):
        self.id = output_id
        self.pipeline = Gst.Pipeline.new("out_" + output_id)
        self.closed = False
        self.failed = False
        self.started = False
        self.t_added = time.monotonic()
        self.lock = threading.Lock()

    def _watch(self):
        bus = self.pipeline.get_bus()
        bus.add_signal_watch()
        self._bus_handler = bus.connect("message", self._on_message)

    def _start(self):
        self._watch()
        if self.pipeline.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
            reason = self._pop_error() or "cannot start the output"
            self._teardown()
            raise EngineError("media_error", reason)

    def _pop_error(self):
        msg = self.pipeline.get_bus().pop_filtered(Gst.MessageType.ERROR)
        if msg is None:
            return None
        err, _ = msg.parse_error()
        return err.message

    def _on_message(self, bus, msg):
        if msg.type == Gst.MessageType.ERROR and not self.closed and not self.failed:
            err, dbg = msg.parse_error()
            log("output %s failed: %s (%s)" % (self.id, err.message, dbg))
            self.fail(err.message)
        elif msg.type == Gst.MessageType.WARNING:
            err, _ = msg.parse_warning()
            log("output %s warning: %s" % (self.id, err.message))

    def fail(self, reason):
        """Stops this output alone and reports it (main loop only)."""
        if self.failed or self.closed:
            return
        with self.lock:
            self.failed = True
        event("output_failed", output=self.id, reason=reason)
        self._teardown()

    def _teardown(self):
        bus = self.pipeline.get_bus()
        if getattr(self, "_bus_handler", None) is not None:
            bus.disconnect(self._bus_handler)
            bus.remove_signal_watch()
            self._bus_handler = None
        self.pipeline.set_state(Gst.State.NULL)

    def _send_eos(self):
        pass

    def finish(self):
        """EOS through this output only, wait for it to reach the sink, then stop."""
        if self.closed:
            return self.stats()
        with self.lock:
            self.closed = True
        if not self.failed:
            self._send_eos()
            msg = self.pipeline.get_bus().timed_pop_filtered(END_TIMEOUT_S * Gst.SECOND, Gst.MessageType.EOS | Gst.MessageType.ERROR)
            if msg is None:
                log("output %s: no EOS in %d s" % (self.id, END_TIMEOUT_S))
            elif msg.type == Gst.MessageType.ERROR:
                log("output %s: error while finishing: %s" % (self.id, msg.parse_error()[0].message))
        self._teardown()
        return self.stats()

    def stats(self):
        return {"bytes": 0, "duration_ms": 0}


class EncodedOutput(Output):
    """A file or RTMP output of the shared H.264 + AAC encode."""

    def __init__(self, output_id, vcaps, acaps):
        super().__init__(output_id)
        self.vsrc = _make("appsrc", "v", caps=vcaps, format=Gst.Format.TIME, is_live=False, block=False, max_bytes=0)
        self.asrc = _make("appsrc", "a", caps=acaps, format=Gst.Format.TIME, is_live=False, block=False, max_bytes=0)
        self.state = "waiting"  # waiting (first keyframe) | running | paused | resuming
        self.base = 0  # composite time of output time 0
        self.offset = 0  # paused time left out so far
        self.pause_at = 0  # composite time where the current pause began
        self.audio_from = 0  # composite time from which audio is taken
        self.last_video_end = 0  # composite time
        self.out_end = 0  # output time of the end of the last buffer
        self.held_audio = []  # (composite time, buffer) while waiting for a keyframe
        self.bytes_out = 0

    def _link(self, mux, vpad, apad, tail):
        for el in (self.vsrc, self.asrc, mux, *tail):
            self.pipeline.add(el)
        self.vsrc.get_static_pad("src").link(mux.request_pad_simple(vpad))
        self.asrc.get_static_pad("src").link(mux.request_pad_simple(apad))
        prev = mux
        for el in tail:
            prev.link(el)
            prev = el
        tail[-1].get_static_pad("sink").add_probe(Gst.PadProbeType.BUFFER, self._count)

    def _count(self, pad, info):
        self.bytes_out += info.get_buffer().get_size()
        return Gst.PadProbeReturn.OK

    def _push(self, src, buf, pts):
        # A new buffer sharing the memory (Buffer.copy() in PyGObject is only a new reference,
        # and every output sets its own timestamps).
        out = buf.copy_region(_COPY, 0, buf.get_size())
        out.pts = pts
        out.dts = pts
        if buf.duration != Gst.CLOCK_TIME_NONE:
            self.out_end = max(self.out_end, pts + buf.duration)
        if src.get_property("current-level-bytes") > MAX_QUEUED_BYTES:
            GLib.idle_add(lambda: (self.fail("output cannot keep up"), False)[1])
            return
        src.push_buffer(out)

    def on_video(self, buf, pts):
        """Called for every encoded video buffer (streaming thread); pts is its running time."""
        with self.lock:
            if self.closed or self.failed:
                return
            key = not buf.has_flags(Gst.BufferFlags.DELTA_UNIT)
            if self.state in ("waiting", "resuming"):
                if not key:
                    return
                if self.state == "waiting":
                    self.base = pts
                    GLib.idle_add(lambda: (self._on_first_frame(), False)[1])
                else:
                    self.offset += pts - self.pause_at
                self.audio_from = pts
                self.state = "running"
                held, self.held_audio = self.held_audio, []
                for apts, abuf in held:
                    if apts >= pts:
                        self._push(self.asrc, abuf, apts - self.base - self.offset)
            if self.state != "running":
                return
            if buf.duration != Gst.CLOCK_TIME_NONE:
                self.last_video_end = pts + buf.duration
            self._push(self.vsrc, buf, pts - self.base - self.offset)

    def on_audio(self, buf, pts):
        with self.lock:
            if self.closed or self.failed:
                return
            if self.state in ("waiting", "resuming"):
                self.held_audio.append((pts, buf))
                while self.held_audio and self.held_audio[0][0] < pts - AUDIO_HOLD_NS:
                    self.held_audio.pop(0)
                return
            if self.state != "running" or pts < self.audio_from:
                return
            self._push(self.asrc, buf, pts - self.base - self.offset)

    def _on_first_frame(self):
        pass

    def pause(self):
        with self.lock:
            if self.state == "running":
                self.pause_at = self.last_video_end
                self.state = "paused"
            elif self.state == "resuming":
                self.state = "paused"

    def resume(self):
        with self.lock:
            if self.state == "paused":
                self.state = "resuming"

    def _send_eos(self):
        self.vsrc.end_of_stream()
        self.asrc.end_of_stream()

    def stats(self):
        return {"bytes": self.bytes_out, "duration_ms": self.out_end // Gst.MSECOND}


class FileWriting:
    """What file outputs share (mixed into an EncodedOutput with self.path): started on the
    first frame, and the size on disk as bytes."""

    def _on_first_frame(self):
        if not self.started and not self.failed:
            self.started = True
            event("output_started", output=self.id)

    def stats(self):
        s = super().stats()
        try:
            s["bytes"] = os.path.getsize(self.path)
        except OSError:
            pass
        return s


class FileOutput(FileWriting, EncodedOutput):
    kind = "file"

    def __init__(self, output_id, vcaps, acaps, path, container):
        super().__init__(output_id, vcaps, acaps)
        self.path = path
        if container == "mp4":
            # Fragmented: a moof every second, so a killed process leaves a playable file.
            mux = _make("mp4mux", "mux", fragment_duration=1000)
        else:
            mux = _make("matroskamux", "mux")
        # Unbuffered: what the muxer wrote is in the file even if the process is killed.
        self._link(mux, "video_%u", "audio_%u", [_make("filesink", "sink", location=path, sync=False, async_=False, buffer_mode=2)])
        self._start()


class RtmpOutput(EncodedOutput):
    kind = "rtmp"

    def __init__(self, output_id, vcaps, acaps, url):
        super().__init__(output_id, vcaps, acaps)
        self.sink = _make("rtmp2sink", "sink", sync=False, async_=False, timeout=5)
        try:
            ok = self.sink.set_uri(url)
        except GLib.Error as e:
            raise EngineError("invalid_params", "bad RTMP url: %s" % e.message)
        if not ok:
            raise EngineError("invalid_params", "bad RTMP url")
        self.sink_buffers = 0
        self.sink.get_static_pad("sink").add_probe(Gst.PadProbeType.BUFFER, self._count_sink)
        self._link(_make("flvmux", "mux", streamable=True), "video", "audio", [self.sink])
        self._start()
        self._poll = GLib.timeout_add(200, self._check_started)

    def _count_sink(self, pad, info):
        self.sink_buffers += 1
        return Gst.PadProbeReturn.OK

    def _check_started(self):
        if self.closed or self.failed:
            self._poll = None
            return False
        st = self.sink.get_property("stats")
        sent = st.get_value("out-bytes-total") if st is not None else 0
        # rtmp2sink has a connection only once publishing was accepted, and renders (lets a
        # second buffer in) only through it: bytes out + buffers past the sink = data flowing.
        if sent and sent > 0 and self.sink_buffers >= 3:
            self.started = True
            self._poll = None
            event("output_started", output=self.id)
            return False
        return True

    def _teardown(self):
        if getattr(self, "_poll", None) is not None:
            GLib.source_remove(self._poll)
            self._poll = None
        super()._teardown()


def _check_dir(path):
    if not isinstance(path, str) or not os.path.isabs(path):
        raise EngineError("invalid_params", "path must be an absolute file path")
    d = os.path.dirname(path)
    if not os.path.isdir(d):
        raise EngineError("invalid_params", "directory %s does not exist" % d)
    if not os.access(d, os.W_OK):
        raise EngineError("invalid_params", "directory %s is not writable" % d)
    if os.path.isdir(path):
        raise EngineError("invalid_params", "path %s is a directory" % path)


def validate_add(msg, outputs):
    output_id = msg.get("output")
    if not isinstance(output_id, str) or not output_id or len(output_id) > 128:
        raise EngineError("invalid_params", "output must be a non-empty string")
    if output_id in outputs:
        raise EngineError("invalid_params", "output %r already exists" % output_id)
    kind = msg.get("type")
    if kind == "file":
        _check_dir(msg.get("path"))
        container = msg.get("container", "mp4")
        if container not in ("mp4", "mkv", "webm"):
            raise EngineError("invalid_params", "container must be 'mp4', 'mkv' or 'webm'")
        return output_id, kind, {"path": msg["path"], "container": container}
    if kind == "rtmp":
        url = msg.get("url")
        u = urlparse(url) if isinstance(url, str) else None
        if u is None or u.scheme not in ("rtmp", "rtmps") or not u.hostname or len([p for p in u.path.split("/") if p]) < 2:
            raise EngineError("invalid_params", "url must be rtmp(s)://host[:port]/app/stream")
        try:
            u.port
        except ValueError:
            raise EngineError("invalid_params", "url has a bad port")
        return output_id, kind, {"url": url}
    if kind == "preview":
        _check_dir(msg.get("path"))
        interval = msg.get("interval_ms", 5000)
        width = msg.get("width", 320)
        if not isinstance(interval, int) or isinstance(interval, bool) or not 100 <= interval <= 3_600_000:
            raise EngineError("invalid_params", "interval_ms must be an integer 100..3600000")
        if not isinstance(width, int) or isinstance(width, bool) or not 16 <= width <= 3840:
            raise EngineError("invalid_params", "width must be an integer 16..3840")
        return output_id, kind, {"path": msg["path"], "interval_ms": interval, "width": width}
    raise EngineError("invalid_params", "type must be 'file', 'rtmp' or 'preview'")
