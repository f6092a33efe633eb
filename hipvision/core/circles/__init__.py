"""Quadruped hip circles: `analyze_circles` for recordings, `CirclesStream` live; typed results.

    from hipvision.core.circles import analyze_circles, CirclesSettings
    result = analyze_circles(seq, CirclesSettings(target_per_direction=5))
    result.clockwise, result.counterclockwise, result.to_dict()
"""

from hipvision.core.circles.analyze import (
           analyze_circles,
           count_track,
           refine_centre,
           track_offline,
)
from hipvision.core.circles.result import (
           CirclePartial,
           CircleRep,
           CirclesResult,
           CirclesSettings,
)
from hipvision.core.circles.stream import CirclesStream
from hipvision.core.circles.summary import (
           FAINT_DEPTH_RATIO,
           neutral_forward,
           rep_measures,
           summarise,
)

__all__ = ["analyze_circles", "track_offline", "count_track", "refine_centre", "CirclesSettings", "CircleRep",
           "CirclePartial", "CirclesResult", "CirclesStream", "summarise", "rep_measures", "neutral_forward",
           "FAINT_DEPTH_RATIO"]
