"""The preview output: a small JPEG of the composite, rewritten every interval."""
import os
import time

from gi.repository import GLib, Gst

from compositor_outputs import Output, _make
from engine_channel import event


class PreviewOutput(Output):
    """A JPEG of the current picture, rewritten every interval (temp file + rename)."""

    kind = "preview"

    def __init__(self, output_id, raw_caps, path, interval_ms, width, comp_w, comp_h):
        super().__init__(output_id)
        self.path = path
        self.interval = interval_ms * Gst.MSECOND
        self.last_pts = None
        self.frames = 0
        self.bytes_last = 0
        width -= width % 2
        height = max(2, int(round(width * comp_h / comp_w / 2.0)) * 2)
        self.src = _make("appsrc", "src", caps=raw_caps, format=Gst.Format.TIME, is_live=False, block=False, max_bytes=0)
        scale = _make("videoscale")
        conv = _make("videoconvert")
        caps = _make("capsfilter", caps=Gst.Caps.from_string("video/x-raw,width=%d,height=%d,pixel-aspect-ratio=1/1" % (width, height)))
        jpeg = _make("jpegenc", quality=80)
        sink = _make("appsink", "sink", emit_signals=True, sync=False, max_buffers=2, drop=True)
        chain = [self.src, scale, conv, caps, jpeg, sink]
        for el in chain:
            self.pipeline.add(el)
        for a, b in zip(chain, chain[1:]):
            a.link(b)
        sink.connect("new-sample", self._on_jpeg)
        self._start()

    def on_raw(self, buf):
        """Every composite frame (streaming thread); passes one per interval."""
        if self.closed or self.failed:
            return
        if self.last_pts is not None and buf.pts - self.last_pts < self.interval:
            return
        self.last_pts = buf.pts
        if self.src.get_property("current-level-buffers") < 2:
            self.src.push_buffer(buf)

    def _on_jpeg(self, sink):
        sample = sink.emit("pull-sample")
        if sample is None or self.closed or self.failed:
            return Gst.FlowReturn.OK
        buf = sample.get_buffer()
        ok, info = buf.map(Gst.MapFlags.READ)
        if not ok:
            return Gst.FlowReturn.OK
        try:
            tmp = "%s.tmp-%d" % (self.path, os.getpid())
            with open(tmp, "wb") as f:
                f.write(info.data)
            os.replace(tmp, self.path)
            self.bytes_last = info.size
            self.frames += 1
        except OSError as e:
            reason = "cannot write preview: %s" % e.strerror
            GLib.idle_add(lambda: (self.fail(reason), False)[1])
        finally:
            buf.unmap(info)
        if not self.started:
            self.started = True
            event("output_started", output=self.id)
        return Gst.FlowReturn.OK

    def _send_eos(self):
        self.src.end_of_stream()

    def stats(self):
        return {"bytes": self.bytes_last, "duration_ms": int((time.monotonic() - self.t_added) * 1000)}
