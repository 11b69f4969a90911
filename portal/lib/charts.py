"""What a chart needs beyond the figures: labels short enough for an axis yet all different, and an axis that
starts near the data (a 0–100 % axis makes 97 % and 100 % look the same)."""

import math
from collections import Counter


def _cut(label: str, width: int, tail: int) -> str:
    if len(label) <= width:
        return label
    return label[: max(width - tail - 1, 1)] + "…" + label[-tail:]


def distinct_labels(labels: list[str], width: int = 10) -> list[str]:
    """Each label cut to about `width` characters, keeping its end as well as its start (「东湖社区…第二党支部」): the
    end is kept longer until no two cut labels are the same. Labels that are the same in full get 「（2）」, 「（3）」…
    in order, so every bar has a label of its own; the full name belongs in the tooltip."""
    tail = 3
    cut = [_cut(label, width, tail) for label in labels]
    while tail < width and len(set(cut)) < len(set(labels)):
        tail += 1
        width += 1  # keep some of the start as the end grows
        cut = [_cut(label, width, tail) for label in labels]
    seen: Counter = Counter()
    repeated = {label for label, n in Counter(labels).items() if n > 1}
    shown = []
    for label, short in zip(labels, cut, strict=True):
        seen[label] += 1
        shown.append(f"{short}（{seen[label]}）" if label in repeated and seen[label] > 1 else short)
    return shown


def axis_floor(values: list[float | None], step: int = 5, ceiling: int = 100) -> int:
    """Where a percentage axis starts: the nearest multiple of `step` below the lowest value, never below 0 (and
    one step below the top when every value is at the top, so the bars still show)."""
    present = [value for value in values if value is not None]
    if not present:
        return 0
    floor = math.floor(min(present) / step) * step
    if floor >= min(present):
        floor -= step
    return max(0, min(floor, ceiling - step))
