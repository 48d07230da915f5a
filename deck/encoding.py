"""x264 settings for the partial movie files manim writes.

manim 0.21 hard-codes libx264 at CRF 23 with x264's default preset ("medium") and
offers no option to change it. Slides are flat colours and smooth motion: the
"veryfast" preset encodes them about 25 % faster (bench/RESULTS.md) and the files come
out no larger, at the same CRF. `use_fast_preset()` wraps the `av` module that manim's
file writer uses so that every libx264 stream it opens gets that preset.
"""

from __future__ import annotations

import types

import av

X264_PRESET = "veryfast"


class _Container:
    """An output container whose libx264 streams use `X264_PRESET`."""

    def __init__(self, container):
        self._container = container

    def __getattr__(self, name: str):
        return getattr(self._container, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self._container.close()

    def add_stream(self, codec_name=None, rate=None, options=None, **kwargs):
        if codec_name == "libx264":
            options = {**(options or {}), "preset": X264_PRESET}
        return self._container.add_stream(codec_name, rate=rate, options=options, **kwargs)


class _AvWithFastPreset(types.ModuleType):
    def __getattr__(self, name: str):
        return getattr(av, name)

    @staticmethod
    def open(file, mode="r", **kwargs):
        container = av.open(file, mode, **kwargs)
        return _Container(container) if mode == "w" else container


def use_fast_preset() -> None:
    from manim.scene import scene_file_writer

    scene_file_writer.av = _AvWithFastPreset("av")
