"""Small-number suppression for aggregate pages (governors, exports of them).

Why 5: a group of fewer than five pupils is small enough that people who know the school
(governors are often parents) could tell whose figures they are looking at. The DfE and
ONS publish school statistics with the same kind of rule, so "fewer than 5" is the line.

Hiding the small group is not enough on its own: when the groups of a breakdown add up to
the whole school, the hidden figure could be worked out as "school minus the others" (or
from the gap to the rest of the school). So further groups are hidden, smallest first,
until the hidden groups together hold at least 5 pupils: what can be recovered by
subtraction is then an aggregate of at least 5 pupils.
"""

from __future__ import annotations

from collections.abc import Mapping

MINIMUM_GROUP = 5
FEWER_THAN = f"fewer than {MINIMUM_GROUP}"


def hidden_keys(sizes: Mapping[str, int], *, minimum: int = MINIMUM_GROUP) -> set[str]:
    """The keys to hide of a breakdown whose groups partition one population.

    Empty groups (0 pupils) reveal nothing about anyone and stay visible.
    """
    hidden = {key for key, size in sizes.items() if 0 < size < minimum}
    visible = sorted((size, key) for key, size in sizes.items() if key not in hidden and size > 0)
    while hidden and sum(sizes[k] for k in hidden) < minimum and visible:
        hidden.add(visible.pop(0)[1])
    return hidden
