"""Damaged videos for the tests: a "faststart" MP4 (index before the frames, as phones and web tools
write them), so a copy cut short keeps its header and announces frames it does not have."""

from __future__ import annotations

import struct
from pathlib import Path

import cv2
import numpy as np

#: Boxes that hold other boxes on the way to the chunk offset tables (stco, co64).
_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"dinf", b"udta"}


def _boxes(data: bytes | bytearray, start: int, end: int):
    """(offset, size, type) of the MP4 boxes in ``data[start:end]``."""
    i = start
    while i + 8 <= end:
        size, kind = struct.unpack(">I4s", data[i:i + 8])
        if size == 1:
            size = struct.unpack(">Q", data[i + 8:i + 16])[0]
        elif size == 0:
            size = end - i
        if size < 8:
            raise ValueError(f"bad MP4 box at {i}")
        yield i, size, kind
        i += size


def _shift_chunk_offsets(moov: bytearray, delta: int, start: int = 0, end: int | None = None) -> None:
    for i, size, kind in _boxes(moov, start, len(moov) if end is None else end):
        if kind in _CONTAINERS:
            _shift_chunk_offsets(moov, delta, i + 8, i + size)
        elif kind in (b"stco", b"co64"):
            width, fmt = (4, ">I") if kind == b"stco" else (8, ">Q")
            count = struct.unpack(">I", moov[i + 12:i + 16])[0]
            for k in range(count):
                at = i + 16 + k * width
                moov[at:at + width] = struct.pack(fmt, struct.unpack(fmt, moov[at:at + width])[0] + delta)


def faststart(data: bytes) -> bytes:
    """The MP4 ``data`` with its index (moov) moved before the media data, offsets adjusted."""
    boxes = list(_boxes(data, 0, len(data)))
    kinds = [kind for _, _, kind in boxes]
    if kinds[0] != b"ftyp" or b"moov" not in kinds:
        raise ValueError(f"unexpected MP4 layout {kinds}")
    at, size, _ = boxes[kinds.index(b"moov")]
    moov = bytearray(data[at:at + size])
    _shift_chunk_offsets(moov, size)
    rest = b"".join(data[i:i + s] for i, s, kind in boxes[1:] if kind != b"moov")
    first = boxes[0]
    return data[first[0]:first[0] + first[1]] + bytes(moov) + rest


def faststart_mp4(path: Path, frames: list[np.ndarray], *, fps: float = 30.0) -> Path:
    """Write ``frames`` (BGR, same size) as an MPEG-4 Part 2 faststart MP4 at ``path``."""
    h, w = frames[0].shape[:2]
    plain = path.with_suffix(".plain.mp4")
    writer = cv2.VideoWriter(str(plain), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    assert writer.isOpened(), f"cannot write {plain}"
    for frame in frames:
        writer.write(frame)
    writer.release()
    path.write_bytes(faststart(plain.read_bytes()))
    plain.unlink()
    return path


def sample_frames(video: Path, n: int, *, width: int = 320) -> list[np.ndarray]:
    """The first ``n`` frames of ``video``, scaled to ``width`` pixels wide."""
    cap = cv2.VideoCapture(str(video))
    out = []
    while len(out) < n:
        ok, frame = cap.read()
        if not ok:
            break
        h = int(round(frame.shape[0] * width / frame.shape[1] / 2)) * 2
        out.append(cv2.resize(frame, (width, h), interpolation=cv2.INTER_AREA))
    cap.release()
    return out


def cut(path: Path, fraction: float, target: Path) -> Path:
    """The first ``fraction`` (0..1) of the bytes of ``path``, as ``target``: a download that broke off."""
    data = path.read_bytes()
    target.write_bytes(data[:int(len(data) * fraction)])
    return target
