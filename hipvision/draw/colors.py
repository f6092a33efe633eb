"""The one colour table of hipvision, in RGB: the video overlays take `.bgr()`, the HTML report `.hex`.

Classes of an IR angle ("limited", "functional", "target", "borderline", None = no value), the person's
sides and a palette for reps (the same colour for rep k in the video trail and the report's plots).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rgb:
    """A colour as 0–255 red, green, blue."""

    r: int
    g: int
    b: int

    def bgr(self) -> tuple[int, int, int]:
        """The (blue, green, red) tuple OpenCV draws with."""
        return (self.b, self.g, self.r)

    @property
    def hex(self) -> str:
        """``#rrggbb`` for HTML, CSS and matplotlib."""
        return f"#{self.r:02x}{self.g:02x}{self.b:02x}"


#: Colour of each range-of-motion class (see the rotation JSON's ``class``); None = no valid value.
CLASS_RGB: dict[str | None, Rgb] = {
    "limited": Rgb(240, 80, 40), "functional": Rgb(255, 180, 0), "target": Rgb(60, 200, 90),
    "borderline": Rgb(142, 124, 195), None: Rgb(150, 150, 150),
}
#: The person's sides (clear of the class colours) and the body midline.
SIDE_RGB: dict[str, Rgb] = {"left": Rgb(50, 170, 240), "right": Rgb(230, 90, 200), "centre": Rgb(235, 235, 235)}
#: Distinct colours for reps and trails, indexed by rep number.
PALETTE_RGB: tuple[Rgb, ...] = (
    Rgb(40, 160, 230), Rgb(250, 190, 60), Rgb(80, 200, 120), Rgb(220, 100, 200), Rgb(240, 110, 80),
    Rgb(60, 200, 200), Rgb(255, 120, 150), Rgb(200, 220, 60), Rgb(140, 120, 240), Rgb(250, 170, 170),
)
#: Report ink, muted text and grid lines.
INK_RGB, MUTED_RGB, GRID_RGB = Rgb(29, 36, 51), Rgb(107, 117, 136), Rgb(230, 233, 239)

Color = tuple[int, int, int]  # BGR, as the drawing functions take it

CLASS_COLORS: dict[str | None, Color] = {k: c.bgr() for k, c in CLASS_RGB.items()}
WHITE: Color = (255, 255, 255)
BLACK: Color = (0, 0, 0)
GREY: Color = CLASS_COLORS[None]
SIDE_COLORS: dict[str, Color] = {k: c.bgr() for k, c in SIDE_RGB.items()}
PALETTE: tuple[Color, ...] = tuple(c.bgr() for c in PALETTE_RGB)


def class_color(cls: str | None) -> Color:
    """BGR colour of a class name ("limited", "functional", "target", "borderline …" or None)."""
    if cls is not None and cls.startswith("borderline"):
        cls = "borderline"
    return CLASS_COLORS.get(cls, GREY)


def palette_color(index: int) -> Color:
    """Colour ``index`` of `PALETTE`, cycling (e.g. rep number)."""
    return PALETTE[int(index) % len(PALETTE)]
