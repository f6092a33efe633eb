"""The tones of the cues, synthesised with numpy: one short sound per cue kind (and per circle direction).

Every function returns mono float32 samples in [-1, 1] at ``rate`` Hz.
"""

from __future__ import annotations

import numpy as np

from hipvision.sound.cue import CIRCLE, HOLD, SET_DONE, Cue

#: Samples per second of every sound and of the cue track (espeak-ng's own rate: no resampling of speech).
RATE = 22050

#: (frequency Hz, duration s) notes of each tone; a circle's pitch says its direction.
NOTES: dict[str, tuple[tuple[float, float], ...]] = {
    "circle clockwise": ((880.0, 0.15),),             # A5
    "circle counterclockwise": ((587.3, 0.15),),      # D5
    SET_DONE: ((523.3, 0.1), (659.3, 0.1), (784.0, 0.16)),  # C5 E5 G5, rising
    HOLD: ((1174.7, 0.08), (0.0, 0.05), (1174.7, 0.08)),   # two short D6 beeps (0 Hz = a rest)
}
AMPLITUDE = 0.5
_RAMP_S = 0.008  # fade in and out, so that a note does not click


def note(freq_hz: float, duration_s: float, *, rate: int = RATE, amplitude: float = AMPLITUDE) -> np.ndarray:
    """A sine of ``freq_hz`` lasting ``duration_s`` with short raised-cosine fades; 0 Hz gives silence."""
    n = max(int(round(duration_s * rate)), 1)
    if freq_hz <= 0:
        return np.zeros(n, np.float32)
    t = np.arange(n) / rate
    wave = amplitude * np.sin(2 * np.pi * freq_hz * t)
    ramp = min(int(_RAMP_S * rate), n // 2)
    if ramp > 0:
        fade = 0.5 - 0.5 * np.cos(np.pi * np.arange(ramp) / ramp)
        wave[:ramp] *= fade
        wave[n - ramp:] *= fade[::-1]
    return wave.astype(np.float32)


def tone_name(cue: Cue) -> str:
    """The key of `NOTES` for ``cue``: circles by direction, others by kind."""
    return f"{CIRCLE} {cue.direction}" if cue.kind == CIRCLE else cue.kind


def cue_tone(cue: Cue, *, rate: int = RATE) -> np.ndarray:
    """The tone that opens ``cue`` (before its words, if spoken)."""
    return np.concatenate([note(f, d, rate=rate) for f, d in NOTES[tone_name(cue)]])
