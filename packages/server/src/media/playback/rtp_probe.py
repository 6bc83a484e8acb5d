"""Test helper: receives VP8 and/or Opus RTP (what a mediasoup consumer sends), decodes it and
reports what a participant would see and hear: the mean colour of the picture and tone levels.

Command: start {video_pt?, audio_pt?, bands?: [hz, ...]} -> {video_port, audio_port}
Events:  frame {r, g, b} (at most every 100 ms), level {rms, bands: {hz: dB}} every 200 ms.
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "engine"))

import gi  # noqa: E402

gi.require_version("Gst", "1.0")
from gi.repository import Gio, GLib, Gst  # noqa: E402,F401 (Gio: used-socket methods)

from engine_channel import EngineError, event, serve  # noqa: E402

Gst.init(None)


class Probe:
    def __init__(self, loop):
        self.loop = loop
        self.pipeline = None
        self.last_frame = 0.0
        self.levels = {}

    def start(self, msg):
        if self.pipeline is not None:
            raise EngineError("bad_request", "already started")
        parts = []
        vpt, apt = msg.get("video_pt"), msg.get("audio_pt")
        bands = [int(b) for b in msg.get("bands", [440, 1000])]
        if vpt is not None:
            parts.append(
                "udpsrc name=vsrc address=127.0.0.1 port=0 caps=\"application/x-rtp,media=video,encoding-name=VP8,clock-rate=90000,payload=%d\" "
                "! rtpjitterbuffer latency=50 ! rtpvp8depay ! vp8dec ! videoconvert ! videoscale "
                "! video/x-raw,format=RGB,width=8,height=8 ! appsink name=vsink emit-signals=true sync=false max-buffers=2 drop=true" % vpt
            )
        if apt is not None:
            parts.append(
                "udpsrc name=asrc address=127.0.0.1 port=0 caps=\"application/x-rtp,media=audio,encoding-name=OPUS,clock-rate=48000,payload=%d\" "
                "! rtpjitterbuffer latency=50 ! rtpopusdepay ! opusdec ! audioconvert ! audio/x-raw,format=F32LE,channels=1 ! tee name=t "
                "t. ! queue ! level name=lall interval=200000000 ! fakesink sync=false" % apt
            )
            for hz in bands:
                w = max(15, hz // 12)
                parts.append(
                    "t. ! queue ! audiochebband mode=band-pass lower-frequency=%d upper-frequency=%d poles=4 "
                    "! level name=l%d interval=200000000 ! fakesink sync=false" % (hz - w, hz + w, hz)
                )
        if not parts:
            raise EngineError("invalid_params", "give video_pt and/or audio_pt")
        self.pipeline = Gst.parse_launch(" ".join(parts))
        self.pipeline.set_state(Gst.State.READY)
        ports = {}
        for kind, name in (("video_port", "vsrc"), ("audio_port", "asrc")):
            src = self.pipeline.get_by_name(name)
            if src is not None:
                ports[kind] = src.get_property("used-socket").get_local_address().get_port()
        sink = self.pipeline.get_by_name("vsink")
        if sink is not None:
            sink.connect("new-sample", self.on_sample)
        bus = self.pipeline.get_bus()
        bus.add_signal_watch()
        bus.connect("message::element", self.on_element)
        self.pipeline.set_state(Gst.State.PLAYING)
        return ports

    def on_sample(self, sink):
        sample = sink.emit("pull-sample")
        now = time.monotonic()
        if now - self.last_frame < 0.1:
            return Gst.FlowReturn.OK
        self.last_frame = now
        ok, info = sample.get_buffer().map(Gst.MapFlags.READ)
        if ok:
            data = info.data
            n = len(data) // 3
            r = sum(data[0::3]) / n
            g = sum(data[1::3]) / n
            b = sum(data[2::3]) / n
            sample.get_buffer().unmap(info)
            event("frame", r=round(r), g=round(g), b=round(b))
        return Gst.FlowReturn.OK

    def on_element(self, _bus, m):
        s = m.get_structure()
        if s is None or s.get_name() != "level":
            return
        name = m.src.get_name()
        rms = s.get_value("rms")
        self.levels[name] = round(float(rms[0]), 1) if rms else -200.0
        if name == "lall":
            bands = {k[1:]: v for k, v in self.levels.items() if k != "lall"}
            event("level", rms=self.levels["lall"], bands=bands)

    def close(self):
        if self.pipeline is not None:
            self.pipeline.set_state(Gst.State.NULL)
        self.loop.quit()


def main():
    loop = GLib.MainLoop()
    probe = Probe(loop)
    serve({"start": probe.start}, probe.close)
    loop.run()


if __name__ == "__main__":
    main()
