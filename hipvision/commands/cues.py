"""Sound cues of the live commands: ``--sound/--no-sound`` and ``--cues-wav`` (see `hipvision.live.cues`)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from hipvision.commands.common import Outputs, console, err_console

if TYPE_CHECKING:
    from hipvision.live.cues import CuedAnalyzer
    from hipvision.sound import Speech

SOUND_OPTION = typer.Option(
    None, "--sound/--no-sound", show_default=False,
    help="Live: sound cues: a tone per circle (pitch by direction) and the count spoken, 'set done', 'left "
         "held, 38 degrees' (speech: espeak-ng). Default: on with a camera, off for a video played as one.")
CUES_WAV_OPTION = typer.Option(
    None, "--cues-wav", help="Live: write the sound cues at their times on the video clock to this .wav (also "
                             "with --no-sound), e.g. --camera clip.mp4 --no-window --cues-wav cues.wav")
NO_SPEECH_MESSAGE = "no speech engine (espeak-ng) found: sound cues are tones only"


def _note(message: str) -> None:
    err_console.print(message, highlight=False, soft_wrap=True)


@dataclass
class LiveCues:
    """The sound cues of one live run: ``analyzer`` is what to hand to `run_live` (the command's analyzer,
    wrapped in a `CuedAnalyzer` when cues are on)."""

    analyzer: Any
    cued: "CuedAnalyzer | None" = None  # None when cues are off
    speech: "Speech | None" = None

    def add_to(self, data: dict) -> dict:
        """``data`` (a live result JSON) with ``cues``: every cue given, ``{t_s, kind, text}`` (when cues are on)."""
        if self.cued is not None:
            data["cues"] = [c.to_dict() for c in self.cued.cues]
        return data

    def write_wav(self, outputs: Outputs, path: Path | None) -> None:
        """``--cues-wav``: the cue track on the video clock, written atomically as one of the run's outputs."""
        if path is None or self.cued is None:
            return
        from hipvision.sound import write_cue_track

        with outputs.attempt(path):
            write_cue_track(path, self.cued.cues, self.speech, end_s=self.cued.end_s)
            console.print(f"cues: [bold]{path}[/] ({len(self.cued.cues)} cues)", highlight=False)


@contextlib.contextmanager
def live_cues(analyzer: Any, *, is_live: bool, sound: bool | None, cues_wav: Path | None,
              target_per_direction: int | None = None) -> Iterator[LiveCues]:
    """Cues for ``analyzer`` in this block: played (``sound``; None = when the source ``is_live``) and/or
    kept for ``cues_wav``. With no output device or no speech engine, one line says so and the run goes on."""
    play = is_live if sound is None else sound
    if not play and cues_wav is None:
        yield LiveCues(analyzer)
        return
    from hipvision.live.cues import CuedAnalyzer
    from hipvision.sound import CuePlayer, find_speech

    speech = find_speech()
    with contextlib.ExitStack() as stack:
        player = stack.enter_context(CuePlayer(speech=speech, warn=_note)) if play else None
        if speech is None and (cues_wav is not None or (player is not None and player.on)):
            _note(NO_SPEECH_MESSAGE)
        cued = CuedAnalyzer(analyzer, target_per_direction=target_per_direction,
                            on_cue=player.play if player is not None else None)
        yield LiveCues(cued, cued, speech)
