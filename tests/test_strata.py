"""Growth corpora: seed orders whose every prefix has the mix of the whole (``corpus.strata``)."""

from __future__ import annotations

from collections import Counter

from corpus.generate import generate, scanned_draw
from corpus.strata import interleave, stratum


def test_interleave_spreads_each_class_over_every_prefix() -> None:
    items = [("scan", i) for i in range(10)] + [("text", i) for i in range(20)]
    order = interleave(items, lambda item: item[0])
    assert sorted(order) == sorted(items)  # a reordering, nothing lost or added
    for size in (3, 6, 15, 30):
        share = Counter(kind for kind, _ in order[:size])["scan"] / size
        assert abs(share - 1 / 3) <= 1 / size


def test_interleave_keeps_the_order_within_a_class() -> None:
    order = interleave(list(range(12)), lambda n: n % 3 == 0)
    assert [n for n in order if n % 3 == 0] == [0, 3, 6, 9]
    assert [n for n in order if n % 3] == [1, 2, 4, 5, 7, 8, 10, 11]


def test_stratum_is_what_generate_makes() -> None:
    for seed in (0, 4, 7):
        doc = generate(seed)
        kind, scanned, pages = stratum(seed)
        assert (kind, scanned, pages) == (doc.kind, doc.scanned, doc.axes["pages"])
        assert scanned == scanned_draw(seed)
