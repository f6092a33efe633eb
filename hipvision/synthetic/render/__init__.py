"""Rendered people with known answers (development tooling; never imported by the runtime path).

A parametric body (Anny) is posed by script — seated hip internal-rotation
efforts, quadruped hip circles, negatives — rendered headless (pyrender + Mesa)
into a small video, and the truth is written next to it as a JSON sidecar.

    python -m hipvision.synthetic.render render seated_ir --seed 1 --out out/synth/seated_ir.mp4
    python -m hipvision.synthetic.render samples --out samples/

Rendering needs the ``synth`` extra (torch, anny, pyrender, PyOpenGL). The
scripting, randomisation and sidecar modules are numpy-only and importable without it.
"""
