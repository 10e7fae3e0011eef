"""What event source mappings need from storage: the mappings (their documents) and per-shard checkpoints.

A mapping is stored as the document GetEventSourceMapping returns plus a few internal keys (prefixed
with "_"); checkpoints hold how far a stream mapping has processed each shard, so a restart resumes there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(slots=True)
class Checkpoint:
    """How far a mapping has processed one shard of a stream."""

    shard: int  # the shard's index
    position: int  # the stream position of the last record processed (read after it)
    min_arrival: float = 0.0  # AT_TIMESTAMP: records that arrived before this are skipped
    finished: bool = False  # a closed shard read to its end: its children may start
    window_state: dict[str, Any] | None = None  # tumbling window: {"start", "state"} carried on


class EventSourceRepository(Protocol):
    async def create_mapping(self, document: dict[str, Any], checkpoints: Sequence[Checkpoint]) -> None:
        """Store a new mapping (with the checkpoints a stream mapping starts from) in one write."""
        ...

    async def save_mapping(self, document: dict[str, Any]) -> bool:
        """Replace a mapping's document; False if it no longer exists."""
        ...

    def get_mapping(self, uuid: str) -> dict[str, Any] | None: ...

    def list_mappings(self) -> list[dict[str, Any]]:
        """Every mapping, oldest first."""
        ...

    async def delete_mapping(self, uuid: str) -> bool:
        """Remove the mapping and its checkpoints; False if there was none."""
        ...

    def checkpoints(self, uuid: str) -> list[Checkpoint]: ...

    async def save_checkpoint(self, uuid: str, checkpoint: Checkpoint) -> None:
        """Insert or replace one shard's checkpoint (nothing if the mapping is gone)."""
        ...
