"""Playing cues as they come, on the default audio output (sounddevice / PortAudio), off the video loop.

`CuePlayer.play` only queues the cue; a background thread makes its sound (`cue_audio`, with speech) and
plays it, one cue after the other. A cue that waited longer than ``max_delay_s`` (the frames came faster
than real time, a video played as a camera) is skipped: a late count is worse than none. With no output
device (no sound card, no PortAudio library) or when playing fails, ``warn`` gets one line and the
player goes quiet; the live run carries on.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from typing import Protocol

import numpy as np

from hipvision.sound.cue import Cue
from hipvision.sound.speech import Speech
from hipvision.sound.tones import RATE
from hipvision.sound.track import cue_audio

NO_DEVICE_MESSAGE = "no audio output device: sound cues off"


class NoOutput(Exception):
    """No sound can be played here (the message says why)."""


class Output(Protocol):
    """Where sounds go."""

    def open(self) -> None:
        """Check that sound can be played; raise `NoOutput` if not."""

    def play(self, samples: np.ndarray, rate: int) -> None:
        """Play ``samples`` (mono float32) and return when they have been played."""

    def stop(self) -> None:
        """Stop what is playing now (from another thread)."""


class SoundDeviceOutput:
    """The default output device, through sounddevice (PortAudio)."""

    def __init__(self) -> None:
        self._sd = None

    def open(self) -> None:
        try:
            import sounddevice
        except (ImportError, OSError) as exc:  # OSError: the PortAudio library is not installed
            raise NoOutput(str(exc)) from None
        try:
            sounddevice.check_output_settings(channels=1, samplerate=RATE, dtype="float32")
        except (sounddevice.PortAudioError, ValueError) as exc:
            raise NoOutput(str(exc)) from None
        self._sd = sounddevice

    def play(self, samples: np.ndarray, rate: int) -> None:
        try:
            self._sd.play(samples, rate, blocking=True)
        except (self._sd.PortAudioError, ValueError) as exc:
            raise NoOutput(str(exc)) from None

    def stop(self) -> None:
        if self._sd is not None:
            self._sd.stop()


class CuePlayer:
    """Plays each cue given to `play` on a background thread; a context manager (closing stops the sound).

    Args:
        speech: speaks the cue texts after their tones; None = tones only.
        warn: gets one line when there is no output device (then nothing is played).
        output: where sounds go (default: `SoundDeviceOutput`).
        max_delay_s: a cue not started this long (wall clock) after it was queued is skipped.
    """

    def __init__(self, *, speech: Speech | None, warn: Callable[[str], None], output: Output | None = None,
                 max_delay_s: float = 2.0, rate: int = RATE) -> None:
        self.speech, self.warn, self.rate, self.max_delay_s = speech, warn, rate, max_delay_s
        self.output = output if output is not None else SoundDeviceOutput()
        self.played: list[Cue] = []
        self._queue: queue.Queue[tuple[float, Cue] | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> "CuePlayer":
        try:
            self.output.open()
        except NoOutput:
            self.warn(NO_DEVICE_MESSAGE)
            return self
        self._thread = threading.Thread(target=self._run, name="hipvision-sound", daemon=True)
        self._thread.start()
        return self

    @property
    def on(self) -> bool:
        """Cues are being played."""
        return self._thread is not None and self._thread.is_alive()

    def play(self, cue: Cue) -> None:
        """Queue ``cue`` (returns at once); nothing happens when there is no output."""
        if self._thread is not None:
            self._queue.put((time.monotonic(), cue))

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            queued, cue = item
            if time.monotonic() - queued > self.max_delay_s:
                continue
            try:
                self.output.play(cue_audio(cue, self.speech, rate=self.rate), self.rate)
            except NoOutput:
                self.warn(NO_DEVICE_MESSAGE)
                return
            self.played.append(cue)

    def __exit__(self, *exc: object) -> None:
        thread, self._thread = self._thread, None
        if thread is None:
            return
        while True:  # what is still queued is not played: the run is over
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
        self._queue.put(None)
        self.output.stop()
        thread.join(timeout=2.0)
