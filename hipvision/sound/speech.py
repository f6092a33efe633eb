"""Spoken cues from an offline speech engine: espeak-ng's command line (``espeak-ng --stdout TEXT``).

`find_speech()` gives a `Speech` when espeak-ng (or its predecessor espeak) is installed, else None;
``Speech.say(text)`` returns the words as samples. On Debian/Ubuntu: ``apt install espeak-ng``; macOS:
``brew install espeak-ng``; Windows: the installer from github.com/espeak-ng/espeak-ng/releases.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import wave
from dataclasses import dataclass, field

import numpy as np

from hipvision.sound.tones import RATE

ENGINES = ("espeak-ng", "espeak")
_NUMBERS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
            "sixteen seventeen eighteen nineteen twenty").split()


def number_word(n: int) -> str:
    """``3`` → "three" (0–20), larger numbers as digits (a speech engine reads them out)."""
    return _NUMBERS[n] if 0 <= n < len(_NUMBERS) else str(n)


def wav_samples(data: bytes, *, rate: int = RATE) -> np.ndarray:
    """Mono float32 samples at ``rate`` Hz from the bytes of a 16-bit PCM WAV (a streamed one too, whose
    header gives no length): channels averaged, resampled when its rate differs."""
    with wave.open(io.BytesIO(data)) as w:
        channels, width, src_rate = w.getnchannels(), w.getsampwidth(), w.getframerate()
        frames = w.readframes(w.getnframes())
    if width != 2:
        raise ValueError(f"expected 16-bit speech, got {8 * width}-bit")
    pcm = np.frombuffer(frames[:len(frames) - len(frames) % (2 * channels)], "<i2").astype(np.float32) / 32768.0
    pcm = pcm.reshape(-1, channels).mean(axis=1)
    if src_rate != rate:
        from scipy.signal import resample_poly  # (seconds to import; espeak-ng speaks at RATE already)

        g = np.gcd(int(src_rate), int(rate))
        pcm = resample_poly(pcm, rate // g, src_rate // g)
    return pcm.astype(np.float32)


@dataclass
class Speech:
    """Text → samples with a speech engine's command line; each text is synthesised once (cached).

    Attributes:
        command: the engine's executable (a path to espeak-ng or espeak).
        words_per_minute: speaking rate.
        peak: the loudest sample of the spoken words (they are scaled to it).
    """

    command: str
    words_per_minute: int = 165
    peak: float = 0.7
    _cache: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def say(self, text: str, *, rate: int = RATE) -> np.ndarray:
        """``text`` spoken, as mono float32 samples at ``rate`` Hz; empty when the engine fails."""
        key = f"{rate}:{text}"
        if key not in self._cache:
            self._cache[key] = self._synthesise(text, rate)
        return self._cache[key]

    def _synthesise(self, text: str, rate: int) -> np.ndarray:
        try:
            done = subprocess.run([self.command, "--stdout", "-s", str(self.words_per_minute), "--", text],
                                  capture_output=True, timeout=10, check=True)
            samples = wav_samples(done.stdout, rate=rate)
        except (OSError, subprocess.SubprocessError, ValueError, EOFError, wave.Error):
            return np.zeros(0, np.float32)
        top = float(np.max(np.abs(samples))) if samples.size else 0.0
        return (samples * (self.peak / top)).astype(np.float32) if top > 0 else samples


def find_speech() -> Speech | None:
    """A `Speech` with the first engine of `ENGINES` on the PATH, or None when there is none."""
    for name in ENGINES:
        path = shutil.which(name)
        if path is not None:
            return Speech(path)
    return None
