"""Seeded bulk sampling and ISO time text: the primitives every bulk generator draws with.

The built-in value pools (:mod:`drills.fakes.pools`) and the declared tables'
generators (:mod:`drills.fakes.generators`) both draw through :class:`Sampler` and write
times through :class:`TimeText`, so a value drawn one way looks and costs the same as
one drawn the other. Nothing here imports Faker or SQLAlchemy.
"""

from __future__ import annotations

import random
import sys
from array import array
from collections.abc import Sequence
from datetime import datetime, timedelta
from operator import itemgetter
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from drills.fakes.changelog import Value

__all__ = ["DAY", "Sampler", "TimeText", "take"]

DAY = 86_400
"""Seconds in a day."""

T = TypeVar("T")


class Sampler:
    """Seeded bulk sampling: ``k`` values per call at C speed.

    ``random.choices`` costs about 150 ns a value in a Python loop. Here ``k`` 64-bit
    numbers come from one ``randbytes`` call and are reduced modulo ``n`` (a bias of at
    most n / 2**64, nothing a fake world can show). Bytes are read little-endian on
    every machine, so a seed gives the same world everywhere. Every method draws
    exactly ``k`` numbers, so drawing 10 then 20 values gives the same 30 as drawing 30
    at once: a column's values do not depend on how the rows are chunked.
    """

    def __init__(self, seed: str) -> None:
        self.rng = random.Random(seed)

    def _raw(self, k: int) -> array[int]:
        raw = array("Q")
        raw.frombytes(self.rng.randbytes(8 * k))
        if sys.byteorder == "big":  # pragma: no cover - depends on the machine
            raw.byteswap()
        return raw

    def indexes(self, n: int, k: int) -> list[int]:
        """``k`` uniform integers in ``[0, n)``."""
        return [x % n for x in self._raw(k)]

    def ints(self, low: int, high: int, k: int) -> list[int]:
        """``k`` uniform integers in ``[low, high)``."""
        span = high - low
        return [low + x % span for x in self._raw(k)]

    def pick(self, pool: Sequence[T], k: int) -> list[T]:
        """``k`` values of ``pool``, uniformly."""
        return take(pool, self.indexes(len(pool), k))

    def weighted(self, options: Sequence[T], weights: Sequence[int], k: int) -> list[T]:
        """``k`` values of ``options``, each as often as its (whole-number) weight says."""
        spread = [o for o, w in zip(options, weights, strict=True) for _ in range(w)]
        return self.pick(spread, k)

    def flags(self, rate: float, k: int) -> list[int]:
        """``k`` zeros and ones, one with probability ``rate`` (to 1 in 10,000)."""
        cut = round(rate * 10_000)
        return [int(x % 10_000 < cut) for x in self._raw(k)]


def take(pool: Sequence[T], indexes: Sequence[int]) -> list[T]:
    """``pool[i]`` for each of ``indexes``, in one C-level ``itemgetter`` call."""
    if not indexes:
        return []
    got = itemgetter(*indexes)(pool)
    return list(got) if len(indexes) > 1 else [got]


class TimeText:
    """ISO text for times and dates relative to the drill start, by table look-up.

    ``datetime.isoformat`` costs about a microsecond; indexing pre-made day and
    time-of-day strings costs a tenth of that, which matters at a million rows.
    ``span_days`` is how far either side of the start any offset may reach.
    """

    def __init__(self, start: datetime, span_days: int) -> None:
        self.base_day = span_days
        self.start_second = start.hour * 3_600 + start.minute * 60 + start.second
        first = start.date() - timedelta(days=span_days)
        self.days = [(first + timedelta(days=d)).isoformat() for d in range(2 * span_days + 1)]
        self.day_t = [d + "T" for d in self.days]
        self.tod = [
            f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)
        ]

    def dates(self, offsets: Sequence[int], by: Sequence[int] | None = None) -> list[Value]:
        """Dates ``offsets[i]`` (plus ``by[i]``) days after the start's date."""
        base, days = self.base_day, self.days
        if by is None:
            return [days[base + d] for d in offsets]
        return [days[base + d + b] for d, b in zip(offsets, by, strict=True)]

    def times(self, offsets: Sequence[int]) -> list[Value]:
        """Times ``offsets[i]`` seconds after the start (negative: before)."""
        base, start, day_t, tod = self.base_day, self.start_second, self.day_t, self.tod
        return [day_t[base + (start + s) // DAY] + tod[(start + s) % DAY] for s in offsets]
