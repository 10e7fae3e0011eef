"""What a service records CloudWatch datapoints through (CloudWatch's Emission implements it): one
protocol for Kinesis, Lambda, SNS and Logs' metric filters."""

from __future__ import annotations

from typing import Protocol

Dimensions = tuple[tuple[str, str], ...]


class MetricSink(Protocol):
    def add(
        self,
        namespace: str,
        name: str,
        dimensions: Dimensions,
        value: float,
        unit: str,
        timestamp: float,
        scope: tuple[str, str] | None = None,
    ) -> None:
        """`scope`: the (account, region) the datapoint belongs to (None: the server's own)."""
        ...
