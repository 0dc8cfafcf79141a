"""Rules of the monitoring pages, as plain Python: which small numbers are withheld."""

from __future__ import annotations

from collections.abc import Sequence

#: The smallest number of pupils shown to readers of aggregates only.
SMALLEST_SHOWN = 5


def withheld_parts(parts: Sequence[int], *, smallest: int = SMALLEST_SHOWN) -> set[int]:
    """Indexes of the parts of a shown total to withhold.

    Primary: every part under `smallest`. Secondary: if exactly one part is withheld, the total
    and the other parts would give it away, so the smallest other part is withheld too (when
    there is one). Zero is a small number like any other: knowing that no pupil is severely
    absent in a school of 12 is also knowing something about each of them.
    """
    withheld = {i for i, n in enumerate(parts) if n < smallest}
    if len(withheld) == 1:
        others = [i for i in range(len(parts)) if i not in withheld]
        if others:
            withheld.add(min(others, key=lambda i: (parts[i], i)))
    return withheld
