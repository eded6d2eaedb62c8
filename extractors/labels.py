"""The U-CAP label table: row labels, list markers and contact cues, kept as data.

``data/ucap_labels.json`` holds them (OCR renderings included), so a new spelling is a data
change; the table reader, the list splitter and the U-CAP extractor all read it from here.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

LABELS_PATH = Path(__file__).with_name("data") / "ucap_labels.json"


@lru_cache(maxsize=1)
def label_config() -> dict:
    return json.loads(LABELS_PATH.read_text(encoding="utf-8"))
