"""Edges of the posture hysteresis (`classify_frames`): a posture is entered only inside its rules and kept
while every feature stays within 10° outside them."""

import numpy as np
import pytest

from hipvision.core.posture import PostureFeatures, classify_frames

OTHER, SEATED, QUADRUPED = 0, 1, 2


def _labels(torso: list[float], thigh: float = 90.0, shank: float = 20.0, arm: float = np.nan) -> list[int]:
    n = len(torso)
    feats = PostureFeatures(np.array(torso, float), np.full(n, thigh), np.full(n, shank), np.full(n, arm))
    return classify_frames(feats).tolist()


@pytest.mark.parametrize("torso, labels", [
    ([10.0, 49.9, 10.0], [SEATED, SEATED, SEATED]),      # seated's torso limit 40° + 10°: kept
    ([10.0, 50.1, 10.0], [SEATED, OTHER, SEATED]),       # beyond it: left (and entered again)
    ([49.9, 45.0, 40.0], [OTHER, OTHER, SEATED]),        # entered only inside the strict 40°
    ([np.nan, 10.0], [-1, SEATED]),                      # not seen: no label
])
def test_seated_is_entered_at_40_deg_of_torso_tilt_and_kept_to_50(torso, labels):
    assert _labels(torso) == labels


@pytest.mark.parametrize("thigh, labels", [
    ([30.0, 49.9], [QUADRUPED, QUADRUPED]),              # on all fours the thigh hangs under 40°: kept to 50°
    ([30.0, 50.1], [QUADRUPED, OTHER]),
    ([45.0, 30.0], [OTHER, QUADRUPED]),
])
def test_quadruped_is_kept_while_the_thigh_drop_stays_within_10_deg_of_its_rule(thigh, labels):
    n = len(thigh)
    feats = PostureFeatures(np.full(n, 80.0), np.array(thigh, float), np.full(n, 90.0), np.full(n, 10.0))
    assert classify_frames(feats).tolist() == labels
