"""A cue's whole sound (tone, then its words), the cue track (every cue at its time) and its WAV file.

Cues sound one after the other, as the live player plays them: a cue decided while the one before is
still sounding starts when it has finished (plus `GAP_S`), never before its own time.
"""

from __future__ import annotations

import io
import os
import wave
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from hipvision.io import write_bytes_atomic
from hipvision.sound.cue import Cue
from hipvision.sound.speech import Speech
from hipvision.sound.tones import RATE, cue_tone

#: Silence between a cue's tone and its words, and between two cues played back to back, seconds.
GAP_S = 0.12


def cue_audio(cue: Cue, speech: Speech | None, *, rate: int = RATE) -> np.ndarray:
    """The samples of ``cue``: its tone, then (with a speech engine) its text spoken."""
    tone = cue_tone(cue, rate=rate)
    words = speech.say(cue.text, rate=rate) if speech is not None else np.zeros(0, np.float32)
    if not words.size:
        return tone
    return np.concatenate([tone, np.zeros(int(GAP_S * rate), np.float32), words])


def schedule(times_s: Sequence[float], lengths_s: Sequence[float], *, gap_s: float = GAP_S) -> list[float]:
    """Start time of each sound (seconds): its own time, or just after the one before has finished."""
    starts: list[float] = []
    free = -np.inf
    for t, length in zip(times_s, lengths_s):
        start = max(float(t), free)
        starts.append(start)
        free = start + float(length) + gap_s
    return starts


def render_track(cues: Sequence[Cue], speech: Speech | None, *, end_s: float = 0.0,
                 rate: int = RATE) -> tuple[np.ndarray, list[float]]:
    """Every cue's sound mixed in at its start (see `schedule`) on the source's clock, from 0 s to ``end_s``
    or the end of the last sound; returns (mono float32 samples, start of each cue's sound in seconds)."""
    sounds = [cue_audio(c, speech, rate=rate) for c in cues]
    starts = schedule([c.t_s for c in cues], [len(s) / rate for s in sounds])
    length = max([int(round(end_s * rate))] + [int(round(s * rate)) + len(x) for s, x in zip(starts, sounds)])
    track = np.zeros(length, np.float32)
    for start, sound in zip(starts, sounds):
        i = int(round(start * rate))
        track[i:i + len(sound)] += sound
    return np.clip(track, -1.0, 1.0), starts


def wav_bytes(samples: np.ndarray, *, rate: int = RATE) -> bytes:
    """Mono float samples in [-1, 1] as a 16-bit PCM WAV file."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.clip(samples, -1.0, 1.0) * 32767).round().astype("<i2").tobytes())
    return buffer.getvalue()


def write_cue_track(path: str | os.PathLike, cues: Sequence[Cue], speech: Speech | None, *,
                    end_s: float = 0.0, rate: int = RATE) -> Path:
    """Write the cue track (`render_track`) to the WAV file ``path``, atomically; returns the path."""
    samples, _ = render_track(cues, speech, end_s=end_s, rate=rate)
    return write_bytes_atomic(path, wav_bytes(samples, rate=rate))
