"""Plays one URL into the SFU as RTP (VP8 + Opus), paced to the clock. Driven by player.ts.

Pipeline (per kind present in the source and asked for by Node):
  uridecodebin -> queue -> videorate(max 30) -> videoscale -> videoconvert -> I420 (<= 1280x720)
               -> vp8enc (realtime) -> rtpvp8pay(pt, ssrc) -> udpsink(sync) -> 127.0.0.1:video_port
  uridecodebin -> queue -> audioconvert -> audioresample -> F32 48k stereo -> audioamplify (volume)
               -> audioconvert -> opusenc -> rtpopuspay(pt, ssrc) -> udpsink(sync) -> 127.0.0.1:audio_port
Every udpsink sends from ONE socket that we own, so a comedia PlainTransport learns that source
port, and RTCP coming back (rtcpMux) lands on it: we read PLI/FIR there and force a keyframe.

Commands: open, play, pause, resume, seek, set_volume, keyframe, status. Events: position, ended, error.
"""
import math
import re
import os
import socket
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "engine"))

import gi  # noqa: E402

gi.require_version("Gst", "1.0")
gi.require_version("GstVideo", "1.0")
from gi.repository import GLib, Gio, Gst, GstVideo  # noqa: E402

from engine_channel import EngineError, event, exit_soon, log, serve  # noqa: E402
from gst_elements import make_element as make  # noqa: E402

Gst.init(None)

MAX_W, MAX_H = 1280, 720
VIDEO_BITRATE = 1_500_000
OPUS_BITRATE = 96_000
KEYFRAME_SECONDS = 2
SCHEMES = ("file", "http", "https", "rtmp", "rtmps")


def to_uri(url):
    """Accepts an absolute path or a file/http(s)/rtmp(s) URL; anything else is invalid_params."""
    if not isinstance(url, str) or not url.strip():
        raise EngineError("invalid_params", "url must be a non-empty string")
    url = url.strip()
    if url.startswith("/"):
        path = url
    else:
        parsed = urllib.parse.urlparse(url)
        if parsed.scheme.lower() not in SCHEMES:
            raise EngineError("invalid_params", "unsupported url %r: expected an absolute path or a file, http(s) or rtmp(s) URL" % url[:200])
        if parsed.scheme.lower() != "file":
            if not parsed.hostname:
                raise EngineError("invalid_params", "url %r has no host" % url[:200])
            return url
        path = urllib.parse.unquote(parsed.path)
    if not os.path.isfile(path):
        raise EngineError("media_error", "file not found: %s" % path)
    if not os.access(path, os.R_OK):
        raise EngineError("media_error", "file not readable: %s" % path)
    return Gst.filename_to_uri(path)


def output_size(caps):
    """The source's display size, scaled down to fit 1280x720, even dimensions."""
    s = caps.get_structure(0)
    ok_w, w = s.get_int("width")
    ok_h, h = s.get_int("height")
    if not (ok_w and ok_h) or w <= 0 or h <= 0:
        return 640, 360
    ok_par, par_n, par_d = s.get_fraction("pixel-aspect-ratio")
    if ok_par and par_n > 0 and par_d > 0:
        w = w * par_n / par_d
    scale = min(1.0, MAX_W / w, MAX_H / h)
    return max(2, int(w * scale) // 2 * 2), max(2, int(h * scale) // 2 * 2)




class Player:
    def __init__(self, loop):
        self.loop = loop
        self.pipeline = None
        self.targets = {}  # kind -> {"port", "ssrc", "pt"}
        self.branches = {}  # kind -> {"pay", "sink", ...}
        self.has = {"audio": False, "video": False}
        self.no_more_pads = False
        self.size = (None, None)
        self.fps = 30.0
        self.state = "idle"  # idle | ready | playing | paused | completed | failed
        self.rt_offset = 0  # ns added to the payloaders' running time so RTP timestamps never go back on seek
        self.timer = None
        self.last_keyframe = 0.0
        # One UDP socket for all our RTP; Python reads what mediasoup sends back on it (RTCP).
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.setblocking(False)
        self.gsock = Gio.Socket.new_from_fd(os.dup(self.sock.fileno()))
        GLib.io_add_watch(self.sock.fileno(), GLib.IO_IN, self.on_rtcp)

    # ---- commands -------------------------------------------------------------------------
    def open(self, msg):
        if self.pipeline is not None:
            raise EngineError("bad_request", "already opened")
        uri = to_uri(msg.get("url"))
        for kind in ("video", "audio"):
            t = msg.get(kind)
            if t is None:
                continue
            if not isinstance(t, dict) or not all(isinstance(t.get(k), int) for k in ("port", "ssrc", "pt")):
                raise EngineError("invalid_params", "%s must be {port, ssrc, pt} integers" % kind)
            if not (0 < t["port"] < 65536 and 96 <= t["pt"] <= 127 and 0 < t["ssrc"] < 2**32):
                raise EngineError("invalid_params", "%s port/pt/ssrc out of range" % kind)
            self.targets[kind] = t
        if not self.targets:
            raise EngineError("invalid_params", "give at least one of video, audio")
        timeout = min(max(int(msg.get("timeout_ms", 8000)), 500), 30000) / 1000.0

        self.pipeline = Gst.Pipeline.new("player")
        dec = make("uridecodebin", uri=uri)
        dec.connect("pad-added", self.on_pad)
        dec.connect("no-more-pads", lambda _d: setattr(self, "no_more_pads", True))
        self.pipeline.add(dec)
        try:
            self.wait_open(timeout, uri)
        except EngineError:
            self.teardown()
            raise
        bus = self.pipeline.get_bus()
        bus.add_signal_watch()
        bus.connect("message", self.on_message)
        self.state = "ready"
        ok_d, dur = self.pipeline.query_duration(Gst.Format.TIME)
        duration_ms = dur // Gst.MSECOND if ok_d and dur > 0 else None
        q = Gst.Query.new_seeking(Gst.Format.TIME)
        seekable = bool(self.pipeline.query(q) and q.parse_seeking()[1]) and duration_ms is not None
        self.seekable = seekable
        return {
            "duration_ms": duration_ms,
            "seekable": seekable,
            "has_audio": self.has["audio"],
            "has_video": self.has["video"],
            "width": self.size[0],
            "height": self.size[1],
            "sending": sorted(self.branches.keys()),
            "local_port": self.sock.getsockname()[1],
        }

    def wait_open(self, timeout, uri):
        """Prerolls to PAUSED (nothing is sent yet) and turns the ways this fails into readable errors."""
        bus = self.pipeline.get_bus()
        self.pipeline.set_state(Gst.State.PAUSED)
        deadline = time.monotonic() + timeout
        prerolled = False
        mask = Gst.MessageType.ERROR | Gst.MessageType.ASYNC_DONE
        while time.monotonic() < deadline:
            m = bus.timed_pop_filtered(50 * Gst.MSECOND, mask)
            if m is not None and m.type == Gst.MessageType.ERROR:
                raise EngineError("media_error", describe_error(m, uri))
            if m is not None and m.type == Gst.MessageType.ASYNC_DONE:
                prerolled = True
            if self.no_more_pads and not self.branches:
                if not (self.has["audio"] or self.has["video"]):
                    raise EngineError("media_error", "no audio or video stream in %s" % uri)
                raise EngineError("media_error", "%s has no %s stream" % (uri, " or ".join(self.targets)))
            if self.no_more_pads and prerolled:
                return
        raise EngineError("media_error", "timed out opening %s (nothing playable within %.0f s)" % (uri, timeout))

    def play(self, _msg=None):
        self.need_open()
        if self.state == "completed":
            raise EngineError("bad_request", "playback has completed")
        self.pipeline.set_state(Gst.State.PLAYING)
        self.state = "playing"
        if self.timer is None:
            self.timer = GLib.timeout_add(1000, self.tick)
        return {"position_ms": self.position_ms()}

    def pause(self, _msg=None):
        self.need_open()
        if self.state == "playing":
            # PAUSED: the udpsinks hold their preroll buffer, so no RTP leaves until PLAYING again.
            self.pipeline.set_state(Gst.State.PAUSED)
            self.state = "paused"
        return {"position_ms": self.position_ms()}

    def seek(self, msg):
        self.need_open()
        pos = msg.get("position_ms")
        if not isinstance(pos, (int, float)) or pos < 0 or math.isnan(pos):
            raise EngineError("invalid_params", "position_ms must be a number >= 0")
        if not self.seekable:
            raise EngineError("not_available", "this source is not seekable")
        if self.state == "completed":
            raise EngineError("bad_request", "playback has completed")
        # A flushing seek restarts the pipeline's running time at 0; the payloaders would then stamp
        # RTP timestamps from 0 again. Shift them by the running time reached so far (see on_flush).
        self.rt_offset += self.running_time() + 40 * Gst.MSECOND
        ok = self.pipeline.seek_simple(Gst.Format.TIME, Gst.SeekFlags.FLUSH | Gst.SeekFlags.KEY_UNIT, int(pos) * Gst.MSECOND)
        if not ok:
            raise EngineError("media_error", "seek failed")
        self.keyframe()
        return {"position_ms": int(pos)}

    def set_volume(self, msg):
        v = msg.get("volume")
        if not isinstance(v, (int, float)) or math.isnan(v):
            raise EngineError("invalid_params", "volume must be a number")
        v = max(-50.0, min(50.0, float(v)))
        if "audio" in self.branches:
            self.branches["audio"]["amp"].set_property("amplification", 10 ** (v / 20.0))
        return {"volume": v}

    def keyframe(self, _msg=None):
        b = self.branches.get("video")
        if b is not None:
            self.last_keyframe = time.monotonic()
            ev = GstVideo.video_event_new_upstream_force_key_unit(Gst.CLOCK_TIME_NONE, True, 0)
            b["enc"].get_static_pad("src").send_event(ev)
        return {}

    def status(self, _msg=None):
        return {"state": self.state, "position_ms": self.position_ms()}

    # ---- pipeline -------------------------------------------------------------------------
    def on_pad(self, _dec, pad):
        caps = pad.get_current_caps() or pad.query_caps(None)
        name = caps.get_structure(0).get_name() if caps and caps.get_size() else ""
        kind = "video" if name.startswith("video/") else "audio" if name.startswith("audio/") else None
        if kind is not None:
            self.has[kind] = True
        if kind is None or kind not in self.targets or kind in self.branches:
            sink = make("fakesink", sync=False, async_=False)
            self.pipeline.add(sink)
            sink.sync_state_with_parent()
            pad.link(sink.get_static_pad("sink"))
            return
        chain = self.video_chain(caps) if kind == "video" else self.audio_chain()
        t = self.targets[kind]
        sink = make("udpsink", host="127.0.0.1", port=t["port"], socket=self.gsock, close_socket=False, sync=True, qos=False)
        elements = chain + [sink]
        for el in elements:
            self.pipeline.add(el)
        for a, b in zip(elements, elements[1:]):
            a.link(b)
        pay = chain[-1]
        pay.get_static_pad("sink").add_probe(Gst.PadProbeType.EVENT_FLUSH, self.on_flush, pay)
        for el in elements:
            el.sync_state_with_parent()
        self.branches[kind] = {"pay": pay, "sink": sink, "enc": chain[-2], "amp": chain[4] if kind == "audio" else None}
        pad.link(chain[0].get_static_pad("sink"))

    def video_chain(self, caps):
        w, h = output_size(caps)
        self.size = (w, h)
        ok, n, d = caps.get_structure(0).get_fraction("framerate")
        if ok and n > 0 and d > 0:
            self.fps = min(30.0, n / d)
        out = Gst.Caps.from_string("video/x-raw,format=I420,width=%d,height=%d,pixel-aspect-ratio=1/1" % (w, h))
        t = self.targets["video"]
        return [
            make("queue", max_size_time=500 * Gst.MSECOND, max_size_bytes=0, max_size_buffers=0),
            make("videorate", max_rate=30, drop_only=True),
            make("videoscale"),
            make("videoconvert"),
            make("capsfilter", caps=out),
            make("vp8enc", deadline=1, cpu_used=8, threads=2, lag_in_frames=0, end_usage=1,  # cbr
                 target_bitrate=VIDEO_BITRATE, keyframe_max_dist=max(1, int(self.fps * KEYFRAME_SECONDS)),
                 error_resilient=1, buffer_size=1000, buffer_initial_size=500, buffer_optimal_size=600),
            make("rtpvp8pay", pt=t["pt"], ssrc=t["ssrc"], picture_id_mode=2, mtu=1200),
        ]

    def audio_chain(self):
        t = self.targets["audio"]
        raw = Gst.Caps.from_string("audio/x-raw,format=F32LE,rate=48000,channels=2")
        return [
            make("queue", max_size_time=500 * Gst.MSECOND, max_size_bytes=0, max_size_buffers=0),
            make("audioconvert"),
            make("audioresample"),
            make("capsfilter", caps=raw),
            make("audioamplify", amplification=1.0, clipping_method=0),  # clip
            make("audioconvert"),
            make("opusenc", bitrate=OPUS_BITRATE, frame_size=20),
            make("rtpopuspay", pt=t["pt"], ssrc=t["ssrc"], mtu=1200),
        ]

    def on_flush(self, pad, info, pay):
        # After a flushing seek: offset the payloader's input by the running time already sent (RTP
        # timestamps continue), and take it off again on its output (the udpsink syncs to the new clock).
        if info.get_event().type == Gst.EventType.FLUSH_STOP:
            pad.set_offset(self.rt_offset)
            pay.get_static_pad("src").set_offset(-self.rt_offset)
        return Gst.PadProbeReturn.OK

    def on_rtcp(self, _fd, _cond):
        video = self.targets.get("video")
        while True:
            try:
                data = self.sock.recv(2048)
            except (BlockingIOError, InterruptedError):
                return True
            except OSError:
                return True
            i = 0
            while video is not None and i + 12 <= len(data):
                fmt, pt = data[i] & 0x1F, data[i + 1]
                length = (int.from_bytes(data[i + 2:i + 4], "big") + 1) * 4
                media_ssrc = int.from_bytes(data[i + 8:i + 12], "big")
                if pt == 206 and fmt in (1, 4) and (media_ssrc == video["ssrc"] or fmt == 4):
                    # PLI / FIR from mediasoup: at most one forced keyframe per 300 ms.
                    if time.monotonic() - self.last_keyframe > 0.3 and self.state == "playing":
                        self.keyframe()
                i += length

    def on_message(self, _bus, m):
        if m.type == Gst.MessageType.EOS:
            if self.state != "completed":
                self.state = "completed"
                event("ended")
        elif m.type == Gst.MessageType.ERROR:
            err, dbg = m.parse_error()
            log("error: %s (%s)" % (err.message, dbg))
            if self.state != "failed":
                self.state = "failed"
                event("error", message=describe_error(m, ""))
                GLib.idle_add(lambda: self.pipeline.set_state(Gst.State.NULL) and False)
        elif m.type == Gst.MessageType.WARNING:
            err, dbg = m.parse_warning()
            log("warning: %s (%s)" % (err.message, dbg))
        return True

    def tick(self):
        if self.pipeline is None:
            self.timer = None
            return False
        if self.state == "playing":
            event("position", position_ms=self.position_ms())
        return True

    def position_ms(self):
        if self.pipeline is None:
            return 0
        ok, pos = self.pipeline.query_position(Gst.Format.TIME)
        return max(0, pos // Gst.MSECOND) if ok and pos >= 0 else 0

    def running_time(self):
        p = self.pipeline
        if p.get_state(0)[1] == Gst.State.PLAYING and p.get_clock() is not None:
            return max(0, p.get_clock().get_time() - p.get_base_time())
        return max(0, p.get_start_time()) if p.get_start_time() != Gst.CLOCK_TIME_NONE else 0

    def need_open(self):
        if self.pipeline is None or self.state in ("idle", "failed"):
            raise EngineError("bad_request", "nothing is open" if self.state != "failed" else "playback failed")

    def teardown(self):
        if self.pipeline is not None:
            self.pipeline.set_state(Gst.State.NULL)
            self.pipeline = None
        self.branches = {}

    def close(self):
        exit_soon(3)
        self.teardown()
        self.loop.quit()


def describe_error(m, uri):
    err, dbg = m.parse_error()
    log("open error: %s | %s" % (err.message, dbg))
    where = (" " + uri) if uri else ""
    if err.matches(Gst.ResourceError.quark(), Gst.ResourceError.NOT_FOUND):
        return "not found:%s (%s)" % (where, err.message)
    not_media = (Gst.StreamError.TYPE_NOT_FOUND, Gst.StreamError.WRONG_TYPE, Gst.StreamError.CODEC_NOT_FOUND,
                 Gst.StreamError.DEMUX, Gst.StreamError.DECODE, Gst.StreamError.FORMAT)
    if any(err.matches(Gst.StreamError.quark(), c) for c in not_media) or err.matches(Gst.CoreError.quark(), Gst.CoreError.MISSING_PLUGIN):
        return "not a playable media file:%s (%s)" % (where, err.message)
    if err.matches(Gst.ResourceError.quark(), Gst.ResourceError.OPEN_READ) or err.matches(
        Gst.ResourceError.quark(), Gst.ResourceError.READ
    ):
        detail = (dbg or "").split("\n")[-1].strip()
        return "cannot open%s: %s%s" % (where, err.message, (" (%s)" % detail[:300]) if detail else "")
    src = m.src.get_factory().get_name() if isinstance(m.src, Gst.Element) and m.src.get_factory() else ""
    if src == "souphttpsrc" and uri:
        # souphttpsrc reports a refused or failed connection only as "Internal data stream error".
        return "cannot open %s: %s" % (uri, probe_http(uri))
    return "cannot play%s: %s" % (where, err.message)


def probe_http(uri):
    """Why an http(s) URL failed, in words (only called once GStreamer already failed)."""
    import urllib.error
    import urllib.request

    try:
        req = urllib.request.Request(uri, headers={"Range": "bytes=0-0"})
        with urllib.request.urlopen(req, timeout=3) as r:
            return "HTTP %d, but the content is not playable media (%s)" % (r.status, r.headers.get("content-type", "?"))
    except urllib.error.HTTPError as e:
        return "HTTP %d %s" % (e.code, e.reason)
    except urllib.error.URLError as e:
        return strip_errno(getattr(e, "reason", e))
    except OSError as e:
        return strip_errno(e)


def strip_errno(e):
    return re.sub(r"^\[Errno -?\d+\] ", "", str(e))






def main():
    loop = GLib.MainLoop()
    player = Player(loop)
    handlers = {
        "open": player.open,
        "play": player.play,
        "resume": player.play,
        "pause": player.pause,
        "seek": player.seek,
        "set_volume": player.set_volume,
        "keyframe": player.keyframe,
        "status": player.status,
    }
    serve(handlers, player.close)
    loop.run()


if __name__ == "__main__":
    main()
