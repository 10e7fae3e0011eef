"""Sequence numbers: AWS's 56-digit form, increasing with the position, decodable back to their parts."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from millpond.services.kinesis import sequence

CREATED = 1_700_000_000.25


def test_numbers_look_like_aws_ones() -> None:
    number = sequence.encode(CREATED, 0, 1, CREATED + 1)
    assert len(number) == 56 and number.startswith("49")
    assert sequence.SEQUENCE_PATTERN.match(number)


@given(
    shard=st.integers(0, 2**31 - 1),
    position=st.integers(0, sequence.MAX_POSITION),
    arrival=st.floats(0, 2**35, allow_nan=False),
)
def test_decode_inverts_encode(shard: int, position: int, arrival: float) -> None:
    parts = sequence.decode(sequence.encode(CREATED, shard, position, arrival))
    assert parts == sequence.SequenceParts(int(CREATED), shard, position, int(arrival))


@given(
    first=st.integers(0, 2**40),
    gap=st.integers(1, 2**20),
    arrival=st.floats(0, 2**34),
    later=st.floats(0, 2**34),
)
def test_later_positions_give_larger_numbers_in_one_stream(
    first: int, gap: int, arrival: float, later: float
) -> None:
    # The position dominates the arrival time, so numbers sort by position even if the clock stepped back.
    assert int(sequence.encode(CREATED, 3, first, arrival)) < int(
        sequence.encode(CREATED, 3, first + gap, later)
    )
    assert int(sequence.encode(CREATED, 0, first, arrival)) < int(
        sequence.encode(CREATED, 9, first + gap, later)
    )


def test_an_aws_issued_number_has_the_same_layout() -> None:
    # aws-facts §3.3's example decodes to a shard created 2018-11-21 and a record that arrived 2018-12-17.
    parts = sequence.decode("49590338271490256608559692538361571095921575989136588898")
    assert parts == sequence.SequenceParts(1542776258, 6, 1734642199, 1545084650)


def test_foreign_numbers_do_not_decode() -> None:
    assert sequence.decode("0") is None
    assert sequence.decode("not-a-number") is None
    assert sequence.decode("0123") is None
