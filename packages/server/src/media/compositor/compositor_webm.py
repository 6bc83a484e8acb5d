"""A WebM (VP8 + Opus) file output: unlike the other outputs it is not fed by the shared H.264 +
AAC encode but by the raw composite picture and mix, and encodes them itself. So it costs a second
encode (VP8 realtime is the expensive part) and is only made when a recording asks for WebM.

Timing is the encoded outputs' (EncodedOutput): time 0 at the first frame after it was added, a
pause leaves its interval out. Raw frames carry no delta flag, so every frame can start or resume.
"""
from gi.repository import Gst

from compositor_outputs import EncodedOutput, FileWriting, _make


class WebmOutput(FileWriting, EncodedOutput):
    kind = "webm"

    def __init__(self, output_id, raw_vcaps, raw_acaps, path, video_kbps, fps):
        super().__init__(output_id, raw_vcaps, raw_acaps)
        self.path = path
        venc = _make("vp8enc", "venc", deadline=1, cpu_used=8, end_usage=1, target_bitrate=video_kbps * 1000,
                     keyframe_max_dist=2 * fps, threads=2, error_resilient=1, lag_in_frames=0)
        aenc = _make("opusenc", "aenc", bitrate=128000)
        mux = _make("webmmux", "mux")
        # Unbuffered, as the other files: what was muxed is on disk if the process is killed.
        sink = _make("filesink", "sink", location=path, sync=False, async_=False, buffer_mode=2)
        vq = _make("queue", "vq", max_size_buffers=0, max_size_bytes=0, max_size_time=2_000_000_000)
        aconv = _make("audioconvert", "aconv")
        for el in (self.vsrc, vq, venc, self.asrc, aconv, aenc, mux, sink):
            self.pipeline.add(el)
        self.vsrc.link(vq)
        vq.link(venc)
        venc.get_static_pad("src").link(mux.request_pad_simple("video_%u"))
        self.asrc.link(aconv)
        aconv.link(aenc)
        aenc.get_static_pad("src").link(mux.request_pad_simple("audio_%u"))
        mux.link(sink)
        sink.get_static_pad("sink").add_probe(Gst.PadProbeType.BUFFER, self._count)
        self._start()
