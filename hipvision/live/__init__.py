"""Live analysis from a camera: the frame loop (`loop.run_live`) and one live analyzer per test
(`rotation.RotationLive`, `circles.CirclesLive`, `session.SessionLive`)."""

from hipvision.live.loop import NO_DISPLAY_MESSAGE, LiveAnalyzer, check_display, gui_backend, run_live

__all__ = ["LiveAnalyzer", "NO_DISPLAY_MESSAGE", "check_display", "gui_backend", "run_live"]
