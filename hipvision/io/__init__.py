"""Files and frames: atomic writers and pose files (`files`), the one video reader (`sources`), annotated
video out (`video_out`), JPEG stills (`images`), the live frame store (`frame_store`) and the local
results history (`history`). ``from hipvision.io import write_json_atomic, load_sequence`` etc. keeps working.
"""

from hipvision.io.files import (atomic_path, load_sequence, read_json, save_sequence, to_json_text, write_bytes_atomic,
                                write_csv_atomic, write_json_atomic, write_text_atomic)

__all__ = ["atomic_path", "load_sequence", "read_json", "save_sequence", "to_json_text", "write_bytes_atomic",
           "write_csv_atomic", "write_json_atomic", "write_text_atomic"]
