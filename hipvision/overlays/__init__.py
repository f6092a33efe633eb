"""Drawing of analysis results on frames (cv2): annotated videos and live overlays."""
