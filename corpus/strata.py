"""Seeds in an order whose every prefix holds the same mix of documents (growth measurements).

A growth table compares the cost of the first hundred documents with that of the next two
hundred and the next seven hundred. When those segments hold different shares of scanned
documents or of long ones, the slope between them measures the corpus, not the run. Here each
seed is classed by what makes a document cheap or dear to read (its kind, whether it is scanned,
its page count: the generator's own draws, the pages from a born-digital render, which the scan
keeps), and the seeds are interleaved so that each class is spread evenly over the order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

from corpus.generate import generate, scanned_draw

Stratum = tuple[str, bool, int]
T = TypeVar("T")


def stratum(seed: int, scanned_share: float = 1 / 3) -> Stratum:
    """(kind, scanned, pages) of the document ``generate(seed)`` makes, without scanning it:
    the builder's draws do not depend on the scan, which keeps the page count."""
    doc = generate(seed, scanned=False)
    return doc.kind, scanned_draw(seed, scanned_share), int(doc.axes["pages"])


def interleave(items: Iterable[T], key: Callable[[T], Hashable]) -> list[T]:
    """``items`` reordered so that each class of ``key`` is spread evenly: the i-th of a class
    of n sits at (i + ½) / n of the way, so any prefix holds each class in its overall share
    (within one document). Ties keep the classes' first appearance order, then the input's."""
    classes: dict[Hashable, list[T]] = defaultdict(list)
    for item in items:
        classes[key(item)].append(item)
    placed = [
        ((i + 0.5) / len(members), rank, item)
        for rank, members in enumerate(classes.values())
        for i, item in enumerate(members)
    ]
    placed.sort(key=lambda entry: (entry[0], entry[1]))
    return [item for _, _, item in placed]


def stratified_seeds(seeds: list[int], scanned_share: float = 1 / 3) -> list[int]:
    """``seeds`` in an order whose every prefix has the mix of the whole."""
    classes = {seed: stratum(seed, scanned_share) for seed in seeds}
    return interleave(seeds, classes.__getitem__)
