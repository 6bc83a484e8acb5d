"""GStreamer helpers shared by the engines."""
from gi.repository import Gst

from engine_channel import EngineError


def make_element(factory, name=None, **props):
    """An element with properties given as keyword arguments (some_prop= for some-prop; a trailing _ for keywords)."""
    el = Gst.ElementFactory.make(factory, name)
    if el is None:
        raise EngineError("media_error", "GStreamer element %s is missing" % factory)
    for k, v in props.items():
        el.set_property(k.rstrip("_").replace("_", "-"), v)
    return el
