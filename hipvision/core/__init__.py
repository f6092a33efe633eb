"""Pure measurement core: numpy/scipy only; no MediaPipe, OpenCV, files or printing."""
