"""Writes one member's RTP (Opus audio and/or VP8/H.264 video) to a Matroska/WebM file WITHOUT
decoding: udpsrc -> rtpjitterbuffer -> depayloader -> parser -> matroskamux/webmmux -> filesink.
Driven by trackRecorder.ts.

Why it stays playable when killed: Matroska clusters are self-contained and the muxer writes the
segment with an unknown size until it finalises; filesink writes unbuffered, so what reached the
muxer is on disk. A clean stop (or stdin closing) sends EOS and the file gets its duration and cues.

Why ONE track per process/file (LiveKit's track egress does the same): matroskamux collects a
buffer from every track before it writes, and GStreamer 1.22's collectpads drops GAP events, so a
track that goes silent (a muted camera: producer paused, no RTP) would stall the other one. With one
track per file nothing can stall, and a member's audio and video are two recorders (two files).

Commands: start {path, audio: {pt, clock_rate?}} | {path, video: {codec: VP8|H264, pt}}
                -> {audio_port | video_port, rtcp_port}
          stop  -> {bytes, duration_ms, started, path}
          status -> {bytes, duration_ms, started}
Events: started {kind, wallclock_ms} (first media written: the file's time 0), first_keyframe {kind: "video"},
        keyframe_needed {kind} (packet loss; ask mediasoup for one),
        error {message}.
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "engine"))

import gi  # noqa: E402

gi.require_version("Gst", "1.0")
from gi.repository import Gio, GLib, Gst  # noqa: E402,F401 (Gio: methods of udpsrc's used-socket)

from engine_channel import EngineError, event, exit_soon, log, serve  # noqa: E402

Gst.init(None)

JITTER_MS = 150
VIDEO_CODECS = {
    "VP8": ("VP8", "rtpvp8depay wait-for-keyframe=true request-keyframe=true", ""),
    "H264": ("H264", "rtph264depay wait-for-keyframe=true request-keyframe=true",
             "! h264parse ! video/x-h264,stream-format=avc,alignment=au"),
}


class Track:
    def __init__(self, kind):
        self.kind = kind
        self.buffers = 0
        self.keyframes = 0
        self.first_pts = None  # running time (ns) of the first buffer
        self.last_keyframe_request = 0.0


class Recorder:
    def __init__(self, loop):
        self.loop = loop
        self.pipeline = None
        self.path = None
        self.tracks = {}
        self.end_rt = None
        self.stopped = None

    def start(self, msg):
        if self.pipeline is not None:
            raise EngineError("bad_request", "already started")
        path = msg.get("path")
        if not isinstance(path, str) or not os.path.isabs(path):
            raise EngineError("invalid_params", "path must be an absolute file path")
        if not os.path.isdir(os.path.dirname(path)):
            raise EngineError("invalid_params", "directory of %s does not exist" % path)
        audio, video = msg.get("audio"), msg.get("video")
        if (audio is None) == (video is None):
            raise EngineError("invalid_params", "give exactly one of audio, video (one track per recorder)")
        if not path.lower().endswith((".mkv", ".mka", ".webm")):
            raise EngineError("invalid_params", "path must end in .mkv, .mka or .webm")
        webm = path.lower().endswith(".webm")
        parts = []
        if video is not None:
            codec = str(video.get("codec", "")).upper()
            if codec not in VIDEO_CODECS:
                raise EngineError("invalid_params", "video codec must be VP8 or H264")
            if codec == "H264" and webm:
                raise EngineError("invalid_params", "WebM cannot hold H.264: use a .mkv path")
            name, depay, parse = VIDEO_CODECS[codec]
            parts.append(
                "udpsrc name=src_video address=127.0.0.1 port=0 buffer-size=4194304 "
                "caps=\"application/x-rtp,media=video,encoding-name=%s,clock-rate=90000,payload=%d\" "
                "! rtpjitterbuffer latency=%d ! %s name=depay_video %s ! mux."
                % (name, pt_of(video), JITTER_MS, depay, parse)
            )
        if audio is not None:
            rate = audio.get("clock_rate", 48000)
            if rate != 48000:
                raise EngineError("invalid_params", "Opus RTP has clock_rate 48000")
            parts.append(
                "udpsrc name=src_audio address=127.0.0.1 port=0 buffer-size=1048576 "
                "caps=\"application/x-rtp,media=audio,encoding-name=OPUS,clock-rate=48000,payload=%d\" "
                "! rtpjitterbuffer latency=%d ! rtpopusdepay name=depay_audio ! opusparse "
                "! mux."
                % (pt_of(audio), JITTER_MS)
            )
        # RTCP from mediasoup (rtcpMux: false -> its own port) is only drained here.
        parts.append("udpsrc name=src_rtcp address=127.0.0.1 port=0 ! fakesink sync=false async=false")
        mux = "webmmux" if webm else "matroskamux"
        parts.append(
            "%s name=mux writing-app=Parley offset-to-zero=true min-cluster-duration=500000000 max-cluster-duration=2000000000 "
            "! filesink name=sink buffer-mode=2 enable-last-sample=false location=\"%s\"" % (mux, path.replace('"', ""))
        )
        try:
            self.pipeline = Gst.parse_launch(" ".join(parts))
        except GLib.Error as e:
            raise EngineError("media_error", "cannot build the recording pipeline: %s" % e.message)
        self.path = path
        if self.pipeline.set_state(Gst.State.READY) == Gst.StateChangeReturn.FAILURE:
            self.pipeline.set_state(Gst.State.NULL)
            self.pipeline = None
            raise EngineError("media_error", "cannot open %s for writing or bind UDP ports" % path)
        result = {}
        for kind in ("audio", "video", "rtcp"):
            src = self.pipeline.get_by_name("src_" + kind)
            if src is None:
                continue
            result[kind + "_port"] = src.get_property("used-socket").get_local_address().get_port()
            if kind == "rtcp":
                continue
            t = self.tracks[kind] = Track(kind)
            self.pipeline.get_by_name("mux").sinkpads[0].add_probe(Gst.PadProbeType.BUFFER, self.on_buffer, t)
            depay = self.pipeline.get_by_name("depay_" + kind)
            depay.get_static_pad("sink").add_probe(Gst.PadProbeType.EVENT_UPSTREAM, self.on_upstream, t)
        bus = self.pipeline.get_bus()
        bus.add_signal_watch()
        bus.connect("message", self.on_message)
        self.pipeline.set_state(Gst.State.PLAYING)
        return result

    def on_buffer(self, _pad, info, t):
        # Only the start matters (first pts, first keyframe): the probe removes itself then, because a
        # Python callback per packet would be most of this engine's CPU.
        buf = info.get_buffer()
        if buf.pts == Gst.CLOCK_TIME_NONE:
            return Gst.PadProbeReturn.OK
        t.buffers += 1
        if t.first_pts is None:
            t.first_pts = buf.pts
            # The file's time 0 in wall-clock ms: what lines up a member's audio file with its video file.
            event("started", kind=t.kind, wallclock_ms=int(time.time() * 1000))
        if t.kind == "video" and buf.has_flags(Gst.BufferFlags.DELTA_UNIT):
            return Gst.PadProbeReturn.OK
        if t.kind == "video":
            t.keyframes += 1
            event("first_keyframe", kind="video")
        return Gst.PadProbeReturn.REMOVE

    def on_upstream(self, _pad, info, t):
        # The depayloader saw loss and wants a keyframe: only mediasoup can ask the sender for one.
        ev = info.get_event()
        if ev.type == Gst.EventType.CUSTOM_UPSTREAM and ev.has_name("GstForceKeyUnit"):
            now = time.monotonic()
            if now - t.last_keyframe_request > 0.5:
                t.last_keyframe_request = now
                event("keyframe_needed", kind=t.kind)
        return Gst.PadProbeReturn.OK

    def on_message(self, _bus, m):
        if m.type == Gst.MessageType.ERROR:
            err, dbg = m.parse_error()
            log("error: %s (%s)" % (err.message, dbg))
            event("error", message="recording failed: %s" % err.message)
        return True

    def stop(self, _msg=None):
        if self.stopped is not None:
            return self.stopped
        if self.pipeline is None:
            raise EngineError("bad_request", "not started")
        clock = self.pipeline.get_clock()
        if clock is not None:
            self.end_rt = clock.get_time() - self.pipeline.get_base_time() - JITTER_MS * Gst.MSECOND
        # EOS into each source so the muxer finalises (duration, cues); then wait for it at the sink.
        for kind in list(self.tracks) + ["rtcp"]:
            self.pipeline.get_by_name("src_" + kind).send_event(Gst.Event.new_eos())
        bus = self.pipeline.get_bus()
        deadline = time.monotonic() + 4
        while time.monotonic() < deadline:
            m = bus.timed_pop_filtered(100 * Gst.MSECOND, Gst.MessageType.EOS | Gst.MessageType.ERROR)
            if m is not None:
                break
        self.pipeline.set_state(Gst.State.NULL)
        self.stopped = self.status()
        self.stopped["path"] = self.path
        return self.stopped

    def status(self, _msg=None):
        # Duration = from the first buffer to now (a muted stretch counts: it is in the file's timeline).
        first = [t.first_pts for t in self.tracks.values() if t.first_pts is not None]
        duration = 0
        if first and self.pipeline is not None:
            if self.end_rt is None:
                clock = self.pipeline.get_clock()
                now = clock.get_time() - self.pipeline.get_base_time() if clock is not None else min(first)
                return self.describe(max(0, now - JITTER_MS * Gst.MSECOND - min(first)))
            duration = self.end_rt - min(first)
        return self.describe(max(0, duration))

    def describe(self, duration_ns):
        size = os.path.getsize(self.path) if self.path and os.path.exists(self.path) else 0
        return {
            "bytes": size,
            "duration_ms": int(duration_ns // Gst.MSECOND),
            "started": any(t.first_pts is not None for t in self.tracks.values()),
        }

    def close(self):
        exit_soon(6)
        if self.pipeline is not None and self.stopped is None:
            try:
                self.stop()
            except EngineError:
                pass
        self.loop.quit()


def pt_of(spec):
    pt = spec.get("pt") if isinstance(spec, dict) else None
    if not isinstance(pt, int) or not 0 <= pt <= 127:
        raise EngineError("invalid_params", "pt must be an integer 0..127")
    return pt






def main():
    loop = GLib.MainLoop()
    rec = Recorder(loop)
    serve({"start": rec.start, "stop": rec.stop, "status": rec.status}, rec.close)
    loop.run()


if __name__ == "__main__":
    main()
