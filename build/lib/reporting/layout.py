"""Layout that holds for any text people type: direction controls kept inside the text that carries them.

A right-to-left override (U+202E) or embedding typed into a title or narrative would otherwise go on
reversing whatever the report prints after it on the same line. Every such string of the frozen report
data is wrapped in FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE (Unicode bidi algorithm, UAX #9):
the isolate closes every embedding and override opened inside it, and sets the text's own direction
from its first strong character. Strings without direction controls are left exactly as they are.
"""

from __future__ import annotations

import re
from typing import Any

FIRST_STRONG_ISOLATE = "\u2068"
POP_DIRECTIONAL_ISOLATE = "\u2069"
# LRE, RLE, PDF, LRO, RLO and the isolates LRI, RLI, FSI, PDI.
DIRECTION_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def isolate_direction(value: Any) -> Any:
    """``value`` (JSON-like data) with every string that holds a direction control isolated."""
    if isinstance(value, str):
        if DIRECTION_CONTROLS.search(value):
            return f"{FIRST_STRONG_ISOLATE}{value}{POP_DIRECTIONAL_ISOLATE}"
        return value
    if isinstance(value, dict):
        return {key: isolate_direction(item) for key, item in value.items()}
    if isinstance(value, list):
        return [isolate_direction(item) for item in value]
    if isinstance(value, tuple):
        return tuple(isolate_direction(item) for item in value)
    return value
