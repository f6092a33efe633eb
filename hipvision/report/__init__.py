"""The self-contained HTML report: the page (`html`), its figures (`plots`) and key frames (`key_frames`).

    from hipvision.report import write_report
    write_report(result_dict, "report.html", video="clip.mp4", poses=seq)
"""

from hipvision.report.html import build_view, find_source_video, render_report, source_video_candidates, write_report

__all__ = ["build_view", "find_source_video", "render_report", "source_video_candidates", "write_report"]
