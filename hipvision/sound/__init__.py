"""Sound cues for the live view: what a cue is (`Cue`), its tone (numpy) and spoken words (espeak-ng),
the cue track as a WAV file, and a player that never blocks the video loop (sounddevice).

    with CuePlayer(speech=find_speech(), warn=print) as player:
        player.play(Cue(12.4, "circle", "three", direction="clockwise"))
    write_cue_track("cues.wav", cues, find_speech(), end_s=34.0)

Which cues to give, and when, is decided by `hipvision.live.cues` from what the live view shows.
"""

from hipvision.sound.cue import CIRCLE, HOLD, KINDS, SET_DONE, Cue
from hipvision.sound.player import NO_DEVICE_MESSAGE, CuePlayer, NoOutput, SoundDeviceOutput
from hipvision.sound.speech import Speech, find_speech, number_word
from hipvision.sound.tones import NOTES, RATE, cue_tone
from hipvision.sound.track import cue_audio, render_track, schedule, wav_bytes, write_cue_track

__all__ = ["CIRCLE", "HOLD", "KINDS", "SET_DONE", "Cue", "CuePlayer", "NO_DEVICE_MESSAGE", "NOTES", "NoOutput",
           "RATE", "SoundDeviceOutput", "Speech", "cue_audio", "cue_tone", "find_speech", "number_word",
           "render_track", "schedule", "wav_bytes", "write_cue_track"]
