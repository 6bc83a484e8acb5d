"""The room compositor: one live GStreamer pipeline that composes video inputs (RTP from
mediasoup PlainTransports) into a picture, mixes audio inputs, encodes once (H.264 + AAC) and
feeds every output (files, RTMP, previews), all changed live over the control channel
(engine_channel.py; commands and events are listed in compositor.ts).

Usage: python3 -u compositor_engine.py '{"width":1280,"height":720,"fps":30,"video_bitrate":2500}'
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "engine"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import gi  # noqa: E402

gi.require_version("Gst", "1.0")
gi.require_version("GstVideo", "1.0")
from gi.repository import GLib, Gst, GstVideo  # noqa: E402

from engine_channel import EngineError, event, log, serve  # noqa: E402
import compositor_inputs as inputs_mod  # noqa: E402
import compositor_outputs as outputs_mod  # noqa: E402
from compositor_preview import PreviewOutput  # noqa: E402
from compositor_webm import WebmOutput  # noqa: E402

# Inputs plugged in live may be this late (jitterbuffer + decode) and still make their frame.
UPSTREAM_LATENCY_MS = 300
AAC_PRIMING_NS = 1024 * Gst.SECOND // 48000


class Compositor:
    def __init__(self, cfg):
        self.width = cfg.get("width", 1280)
        self.height = cfg.get("height", 720)
        self.fps = cfg.get("fps", 30)
        kbps = cfg.get("video_bitrate", 2500)
        abps = cfg.get("audio_bitrate", 128000)
        lat = UPSTREAM_LATENCY_MS * Gst.MSECOND
        # encode false: a picture-only composite (the room preview) has no H.264/AAC encoders and
        # takes only preview outputs, so a room that nobody records costs its decodes and little else.
        self.encode = cfg.get("encode", True) is not False
        video_tail = (
            "! queue max-size-buffers=4 max-size-bytes=0 max-size-time=0 leaky=downstream "
            "! x264enc name=venc tune=zerolatency speed-preset=ultrafast bitrate={kbps} key-int-max={gop} bframes=0 "
            "! video/x-h264,stream-format=avc,alignment=au ! identity name=vout ! queue ! fakesink sync=true "
        ) if self.encode else "! fakesink sync=true "
        audio_tail = (
            "! audio/x-raw,rate=48000,channels=2 ! audioconvert ! identity name=araw ! avenc_aac bitrate={abps} ! identity name=aout "
            "! queue ! fakesink sync=true"
        ) if self.encode else "! audio/x-raw,rate=48000,channels=2 ! fakesink sync=true"
        desc = (
            # A tiny transparent live source keeps the compositor ticking with no inputs.
            "videotestsrc is-live=true pattern=black ! video/x-raw,width=16,height=16,framerate={fps}/1 ! vmix.sink_0 "
            "compositor name=vmix background=black ignore-inactive-pads=true min-upstream-latency={lat} "
            "! video/x-raw,format=I420,width={w},height={h},framerate={fps}/1,pixel-aspect-ratio=1/1 ! identity name=raw "
            + video_tail +
            "audiotestsrc is-live=true wave=silence samplesperbuffer=960 ! audio/x-raw,rate=48000,channels=2 ! amix.sink_0 "
            "audiomixer name=amix ignore-inactive-pads=true min-upstream-latency={lat} "
            + audio_tail
        ).format(fps=self.fps, lat=lat, w=self.width, h=self.height, kbps=kbps, gop=2 * self.fps, abps=abps)
        self.pipeline = Gst.parse_launch(desc)
        self.vmix = self.pipeline.get_by_name("vmix")
        self.amix = self.pipeline.get_by_name("amix")
        self.vmix.get_static_pad("sink_0").set_property("alpha", 0.0)
        self.venc = self.pipeline.get_by_name("venc")
        self.inputs = {}
        self.outputs = {}
        self.cells = {}
        self.stopping = False
        self.pipeline.get_by_name("raw").get_static_pad("src").add_probe(Gst.PadProbeType.BUFFER, self._on_raw)
        self.raw = self.pipeline.get_by_name("raw").get_static_pad("src")
        self.vout = self.aout = self.araw = None
        if self.encode:
            self.vout = self.pipeline.get_by_name("vout").get_static_pad("src")
            self.aout = self.pipeline.get_by_name("aout").get_static_pad("src")
            self.vout.add_probe(Gst.PadProbeType.BUFFER, self._on_video)
            self.aout.add_probe(Gst.PadProbeType.BUFFER, self._on_audio)
            self.araw = self.pipeline.get_by_name("araw").get_static_pad("src")
            self.araw.add_probe(Gst.PadProbeType.BUFFER, self._on_raw_audio)
        self.video_kbps = kbps
        bus = self.pipeline.get_bus()
        bus.add_signal_watch()
        bus.connect("message", self._on_message)
        if self.pipeline.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
            raise RuntimeError("the composite pipeline does not start")

    def wait_ready(self, timeout_s=25):
        """Iterates the main context until both encoders have negotiated caps."""
        ctx = GLib.MainContext.default()
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            pads = (self.vout, self.aout) if self.encode else (self.raw,)
            if all(p.get_current_caps() is not None for p in pads):
                return
            while ctx.pending():
                ctx.iteration(False)
            time.sleep(0.01)
        raise RuntimeError("the composite did not negotiate in %d s" % timeout_s)

    # ---- streaming-thread probes (an exception here must not reach GStreamer) ----
    def _guard(fn):
        def probe(self, pad, info):
            try:
                fn(self, pad, info)
            except Exception as e:  # noqa: BLE001
                log("probe %s: %s: %s" % (fn.__name__, type(e).__name__, e))
            return Gst.PadProbeReturn.OK
        return probe

    @_guard
    def _on_raw(self, pad, info):
        buf = info.get_buffer()
        webm = []
        for out in list(self.outputs.values()):
            if out.kind == "preview":
                out.on_raw(buf)
            elif out.kind == "webm":
                webm.append(out)
        if webm:
            rt = self._running_time(pad, buf)
            for out in webm:
                out.on_video(buf, rt)
        return Gst.PadProbeReturn.OK

    @_guard
    def _on_raw_audio(self, pad, info):
        outs = [o for o in list(self.outputs.values()) if o.kind == "webm"]
        if outs:
            buf = info.get_buffer()
            rt = self._running_time(pad, buf)
            for out in outs:
                out.on_audio(buf, rt)
        return Gst.PadProbeReturn.OK

    @staticmethod
    def _running_time(pad, buf):
        # x264enc shifts its output by 1000 h (and its segment with it): compare running times.
        ev = pad.get_sticky_event(Gst.EventType.SEGMENT, 0)
        if ev is None:
            return buf.pts
        return ev.parse_segment().to_running_time(Gst.Format.TIME, buf.pts)

    @_guard
    def _on_video(self, pad, info):
        buf = info.get_buffer()
        outs = [o for o in list(self.outputs.values()) if o.kind in ("file", "rtmp")]
        if outs:
            rt = self._running_time(pad, buf)
            for out in outs:
                out.on_video(buf, rt)
        return Gst.PadProbeReturn.OK

    @_guard
    def _on_audio(self, pad, info):
        buf = info.get_buffer()
        outs = [o for o in list(self.outputs.values()) if o.kind in ("file", "rtmp")]
        if outs:
            # The AAC encoder's first frame carries 1024 samples of priming that decoders play:
            # stamp its frames that much earlier so that audio is not late against video.
            rt = self._running_time(pad, buf) - AAC_PRIMING_NS
            for out in outs:
                out.on_audio(buf, rt)
        return Gst.PadProbeReturn.OK

    def _force_keyframe(self):
        if self.venc is None:
            return
        ev = GstVideo.video_event_new_upstream_force_key_unit(Gst.CLOCK_TIME_NONE, True, 0)
        self.venc.get_static_pad("src").send_event(ev)

    # ---- bus ----
    def _on_message(self, bus, msg):
        t = msg.type
        if t == Gst.MessageType.LATENCY:
            self.pipeline.recalculate_latency()
        elif t == Gst.MessageType.ERROR:
            err, dbg = msg.parse_error()
            for inp in list(self.inputs.values()):
                if inp.owns(msg.src):
                    log("input %s failed: %s (%s)" % (inp.id, err.message, dbg))
                    del self.inputs[inp.id]
                    inp.close()
                    event("input_failed", input=inp.id, reason=err.message)
                    return
            obj = msg.src
            while obj is not None:
                if obj.get_name().startswith("in_"):
                    return  # a late message from an input already removed
                obj = obj.get_parent()
            log("composite failed: %s (%s)" % (err.message, dbg))
            event("composite_failed", reason=err.message)
            self.shutdown(exit_code=1)
        elif t == Gst.MessageType.WARNING:
            err, _ = msg.parse_warning()
            log("warning from %s: %s" % (msg.src.get_name() if msg.src else "?", err.message))

    # ---- commands ----
    def add_input(self, msg):
        input_id, kind, codec, pt, clock_rate = inputs_mod.validate_add(msg, self.inputs)
        mixer = self.vmix if kind == "video" else self.amix
        inp = inputs_mod.Input(self.pipeline, mixer, input_id, kind, codec, pt, clock_rate)
        self.inputs[input_id] = inp
        if kind == "video":
            inp.set_cell(self.cells.get(input_id))
        return {"port": inp.port}

    def _input(self, msg, kind=None):
        input_id = msg.get("input")
        inp = self.inputs.get(input_id) if isinstance(input_id, str) else None
        if inp is None:
            raise EngineError("invalid_params", "unknown input %r" % (input_id,))
        if kind is not None and inp.kind != kind:
            raise EngineError("invalid_params", "input %r is not %s" % (input_id, kind))
        return inp

    def remove_input(self, msg):
        inp = self._input(msg)
        del self.inputs[inp.id]
        self.cells.pop(inp.id, None)
        inp.close()
        return {}

    def set_layout(self, msg):
        cells = msg.get("cells")
        if not isinstance(cells, list):
            raise EngineError("invalid_params", "cells must be a list")
        parsed = {}
        for i, c in enumerate(cells):
            if not isinstance(c, dict):
                raise EngineError("invalid_params", "cells[%d] must be an object" % i)
            input_id = c.get("input")
            if not isinstance(input_id, str) or not input_id:
                raise EngineError("invalid_params", "cells[%d].input must be a string" % i)
            inp = self.inputs.get(input_id)
            if inp is not None and inp.kind != "video":
                raise EngineError("invalid_params", "cells[%d]: input %r is audio" % (i, input_id))
            if input_id in parsed:
                raise EngineError("invalid_params", "cells[%d]: input %r is placed twice" % (i, input_id))
            cell = {}
            for k, lo, hi in (("x", -16384, 16384), ("y", -16384, 16384), ("width", 1, 16384), ("height", 1, 16384)):
                v = c.get(k)
                if not isinstance(v, (int, float)) or isinstance(v, bool) or not lo <= v <= hi:
                    raise EngineError("invalid_params", "cells[%d].%s must be a number %d..%d" % (i, k, lo, hi))
                cell[k] = int(round(v))
            z = c.get("zorder", i + 1)
            if not isinstance(z, int) or isinstance(z, bool) or not 0 <= z <= 10000:
                raise EngineError("invalid_params", "cells[%d].zorder must be an integer 0..10000" % i)
            cell["zorder"] = z + 1  # 0 is the background
            parsed[input_id] = cell
        unknown = [k for k in parsed if k not in self.inputs]
        if unknown:
            raise EngineError("invalid_params", "unknown input %r in cells" % unknown[0])
        self.cells = parsed
        for inp in self.inputs.values():
            if inp.kind == "video":
                inp.set_cell(parsed.get(inp.id))
        return {}

    def set_volume(self, msg):
        inp = self._input(msg, "audio")
        v = msg.get("volume")
        if not isinstance(v, (int, float)) or isinstance(v, bool) or not 0 <= v <= 10:
            raise EngineError("invalid_params", "volume must be a number 0..10 (linear gain)")
        inp.set_volume(float(v))
        return {}

    def add_output(self, msg):
        output_id, kind, args = outputs_mod.validate_add(msg, self.outputs)
        if not self.encode and kind != "preview":
            raise EngineError("invalid_params", "this composite does not encode (encode: false): previews only")
        vcaps = self.vout.get_current_caps() if self.encode else None
        acaps = self.aout.get_current_caps() if self.encode else None
        if kind == "file" and args["container"] == "webm":
            raw_v = self.pipeline.get_by_name("raw").get_static_pad("src").get_current_caps()
            out = WebmOutput(output_id, raw_v, self.araw.get_current_caps(), args["path"], self.video_kbps, self.fps)
        elif kind == "file":
            out = outputs_mod.FileOutput(output_id, vcaps, acaps, args["path"], args["container"])
        elif kind == "rtmp":
            out = outputs_mod.RtmpOutput(output_id, vcaps, acaps, args["url"])
        else:
            raw = self.pipeline.get_by_name("raw").get_static_pad("src").get_current_caps()
            out = PreviewOutput(output_id, raw, args["path"], args["interval_ms"], args["width"], self.width, self.height)
        self.outputs[output_id] = out
        if kind != "preview":
            self._force_keyframe()
        return {}

    def _output(self, msg, kind=None):
        output_id = msg.get("output")
        out = self.outputs.get(output_id) if isinstance(output_id, str) else None
        if out is None:
            raise EngineError("invalid_params", "unknown output %r" % (output_id,))
        if kind is not None and out.kind != kind:
            raise EngineError("invalid_params", "output %r is not a %s output" % (output_id, kind))
        return out

    def _file_output(self, msg):
        out = self._output(msg)
        if out.kind not in ("file", "webm"):
            raise EngineError("invalid_params", "output %r is not a file output" % out.id)
        return out

    def pause_output(self, msg):
        self._file_output(msg).pause()
        return {}

    def resume_output(self, msg):
        self._file_output(msg).resume()
        self._force_keyframe()
        return {}

    def remove_output(self, msg):
        out = self._output(msg)
        del self.outputs[out.id]
        return out.finish()

    def stats(self, msg):
        return {
            "inputs": {k: {"kind": v.kind, "first_frame": v.first_frame} for k, v in self.inputs.items()},
            "outputs": {k: {"type": v.kind, "started": v.started, "failed": v.failed, **v.stats()} for k, v in self.outputs.items()},
        }

    def shutdown(self, exit_code=0):
        if self.stopping:
            return
        self.stopping = True
        for out in list(self.outputs.values()):
            try:
                out.finish()
            except Exception as e:  # keep finalising the others
                log("finishing output %s: %s" % (out.id, e))
        self.outputs.clear()
        self.pipeline.set_state(Gst.State.NULL)
        sys.stdout.flush()
        os._exit(exit_code)


def main():
    Gst.init(None)
    cfg = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    comp = Compositor(cfg)
    comp.wait_ready()
    loop = GLib.MainLoop()
    handlers = {name: getattr(comp, name) for name in (
        "add_input", "remove_input", "set_layout", "set_volume", "add_output",
        "pause_output", "resume_output", "remove_output", "stats")}
    serve(handlers, lambda: (comp.shutdown(0), loop.quit()))
    loop.run()


if __name__ == "__main__":
    main()
