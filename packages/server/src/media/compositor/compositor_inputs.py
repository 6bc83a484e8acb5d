"""Compositor inputs: RTP on a loopback UDP port -> jitterbuffer -> depay -> decode -> a compositor
or audiomixer pad. Each input is one bin in the main pipeline, added and removed live."""
from gi.repository import GLib, Gst

from engine_channel import EngineError, event, log

VIDEO_CODECS = {
    # codec -> (encoding-name, depay + decode chain)
    "VP8": ("VP8", "rtpvp8depay request-keyframe=true wait-for-keyframe=true ! vp8dec name=dec"),
    "H264": ("H264", "rtph264depay request-keyframe=true wait-for-keyframe=true ! h264parse ! avdec_h264 name=dec"),
}
AUDIO_CODECS = {
    "opus": ("OPUS", "rtpopusdepay ! opusdec plc=true name=dec ! audioconvert ! audioresample"
             " ! capsfilter caps=audio/x-raw,rate=48000,channels=2"),
}
JITTER_LATENCY_MS = 150
KEYFRAME_REPEAT_MS = 1000


class Input:
    """One input bin. `pad` is the aggregator's request pad it feeds."""

    def __init__(self, pipeline, mixer, input_id, kind, codec, pt, clock_rate):
        self.id = input_id
        self.kind = kind
        self.pipeline = pipeline
        self.mixer = mixer
        self.first_frame = False
        self.closed = False
        self._kf_timer = None
        self._last_kf_event = 0
        enc_name, chain = (VIDEO_CODECS if kind == "video" else AUDIO_CODECS)[codec]
        caps = "application/x-rtp,media=%s,encoding-name=%s,clock-rate=%d,payload=%d" % (kind, enc_name, clock_rate, pt)
        desc = ("udpsrc name=src address=127.0.0.1 port=0 ! rtpjitterbuffer name=jb latency=%d drop-on-latency=true"
                " ! %s" % (JITTER_LATENCY_MS, chain))
        try:
            self.bin = Gst.parse_bin_from_description(desc, True)
        except GLib.Error as e:
            raise EngineError("media_error", "cannot build input: %s" % e.message)
        self.bin.set_name("in_" + input_id)
        self.bin.get_by_name("src").set_property("caps", Gst.Caps.from_string(caps))
        dec = self.bin.get_by_name("dec")
        if kind == "video":
            for prop, value in (("max-errors", -1), ("automatic-request-sync-points", True),
                                ("discard-corrupted-frames", True), ("min-force-key-unit-interval", 500 * Gst.MSECOND)):
                if dec.find_property(prop) is not None:
                    dec.set_property(prop, value)
            dec.get_static_pad("src").add_probe(Gst.PadProbeType.BUFFER, self._on_decoded)
            # Upstream GstForceKeyUnit events (depayloader saw loss, decoder lost its reference).
            self.bin.get_by_name("jb").get_static_pad("src").add_probe(Gst.PadProbeType.EVENT_UPSTREAM, self._on_upstream)
        pipeline.add(self.bin)
        src = self.bin.get_by_name("src")
        # Bind the socket now so that the port is known before any packet is sent.
        if self.bin.set_state(Gst.State.READY) == Gst.StateChangeReturn.FAILURE:
            pipeline.remove(self.bin)
            raise EngineError("media_error", "cannot bind a UDP port for input %s" % input_id)
        self.port = src.get_property("port")
        self.pad = mixer.request_pad_simple("sink_%u")
        if kind == "video":
            self.pad.set_property("alpha", 0.0)  # hidden until a layout shows it
            self.pad.set_property("sizing-policy", 1)  # keep-aspect-ratio: letterbox inside its cell
        self.bin.get_static_pad("src").link(self.pad)
        self.bin.sync_state_with_parent()
        if kind == "video":
            self._ask_keyframe()
            self._kf_timer = GLib.timeout_add(KEYFRAME_REPEAT_MS, self._repeat_keyframe)

    def owns(self, obj):
        while obj is not None:
            if obj == self.bin:
                return True
            obj = obj.get_parent()
        return False

    def set_cell(self, cell):
        if cell is None:
            self.pad.set_property("alpha", 0.0)
            return
        self.pad.set_property("xpos", cell["x"])
        self.pad.set_property("ypos", cell["y"])
        self.pad.set_property("width", cell["width"])
        self.pad.set_property("height", cell["height"])
        self.pad.set_property("zorder", cell["zorder"])
        self.pad.set_property("alpha", 1.0)

    def set_volume(self, volume):
        self.pad.set_property("volume", volume)

    def _ask_keyframe(self):
        now = GLib.get_monotonic_time()
        if now - self._last_kf_event < 400_000:
            return
        self._last_kf_event = now
        event("keyframe_needed", input=self.id)

    def _repeat_keyframe(self):
        if self.closed or self.first_frame:
            self._kf_timer = None
            return False
        self._ask_keyframe()
        return True

    def _on_decoded(self, pad, info):
        if not self.first_frame:
            self.first_frame = True
            event("input_first_frame", input=self.id)
        return Gst.PadProbeReturn.REMOVE

    def _on_upstream(self, pad, info):
        ev = info.get_event()
        st = ev.get_structure() if ev is not None else None
        if st is not None and st.get_name() == "GstForceKeyUnit" and not self.closed:
            GLib.idle_add(lambda: (self._ask_keyframe(), False)[1])
        return Gst.PadProbeReturn.OK

    def close(self):
        """Stops the bin, then gives the aggregator its pad back. The bin's streaming threads
        wait at most one output period in the aggregator, so NULL does not hang."""
        if self.closed:
            return
        self.closed = True
        if self._kf_timer is not None:
            GLib.source_remove(self._kf_timer)
            self._kf_timer = None
        self.bin.set_state(Gst.State.NULL)
        ghost = self.bin.get_static_pad("src")
        ghost.unlink(self.pad)
        self.mixer.release_request_pad(self.pad)
        self.pipeline.remove(self.bin)


def validate_add(msg, inputs):
    input_id = msg.get("input")
    if not isinstance(input_id, str) or not input_id or len(input_id) > 128:
        raise EngineError("invalid_params", "input must be a non-empty string")
    if input_id in inputs:
        raise EngineError("invalid_params", "input %r already exists" % input_id)
    kind = msg.get("kind")
    if kind not in ("video", "audio"):
        raise EngineError("invalid_params", "kind must be 'video' or 'audio'")
    codecs = VIDEO_CODECS if kind == "video" else AUDIO_CODECS
    codec = msg.get("codec")
    match = [c for c in codecs if isinstance(codec, str) and c.lower() == codec.lower()]
    if not match:
        raise EngineError("invalid_params", "codec for %s must be one of %s" % (kind, ", ".join(codecs)))
    pt = msg.get("pt")
    if not isinstance(pt, int) or isinstance(pt, bool) or not 0 <= pt <= 127:
        raise EngineError("invalid_params", "pt must be an integer 0..127")
    clock_rate = msg.get("clockRate", 90000 if kind == "video" else 48000)
    if not isinstance(clock_rate, int) or isinstance(clock_rate, bool) or clock_rate <= 0:
        raise EngineError("invalid_params", "clockRate must be a positive integer")
    return input_id, kind, match[0], pt, clock_rate

