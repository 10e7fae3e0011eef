"""What Lambda counts for CloudWatch (namespace AWS/Lambda), handed to a MetricSink the server wires in.

Each datapoint goes to the account-wide metric (no dimensions), to FunctionName, and to FunctionName +
Resource (the name, or name:qualifier when the caller named a version or alias); qualified invocations add
FunctionName + ExecutedVersion. Invocations count every run, errors included, throttles not; Duration is in
milliseconds; ConcurrentExecutions is sampled at each start (read its Maximum).
"""

from __future__ import annotations

from millpond.services.metric_sink import Dimensions, MetricSink

NAMESPACE = "AWS/Lambda"


class LambdaMetrics:
    def __init__(self, sink: MetricSink) -> None:
        self.sink = sink

    def _emit(
        self,
        function: str,
        qualifier: str | None,
        version: str | None,
        metrics: list[tuple[str, float, str]],
        now: float,
    ) -> None:
        resource = f"{function}:{qualifier}" if qualifier else function
        sets: list[Dimensions] = [
            (),
            (("FunctionName", function),),
            (("FunctionName", function), ("Resource", resource)),
        ]
        if qualifier and version:
            sets.append((("ExecutedVersion", version), ("FunctionName", function)))
        for name, value, unit in metrics:
            for dims in sets:
                self.sink.add(NAMESPACE, name, dims, value, unit, now)

    def invocation(
        self,
        function: str,
        qualifier: str | None,
        version: str,
        started: float,
        duration_ms: float,
        error: bool,
    ) -> None:
        metrics = [
            ("Invocations", 1, "Count"),
            ("Errors", 1 if error else 0, "Count"),
            ("Duration", duration_ms, "Milliseconds"),
        ]
        self._emit(function, qualifier, version, metrics, started)

    def started(
        self, function: str, qualifier: str | None, in_flight: int, account_in_flight: int, now: float
    ) -> None:
        resource = f"{function}:{qualifier}" if qualifier else function
        self.sink.add(NAMESPACE, "ConcurrentExecutions", (), account_in_flight, "Count", now)
        self.sink.add(
            NAMESPACE, "ConcurrentExecutions", (("FunctionName", function),), in_flight, "Count", now
        )
        dims = (("FunctionName", function), ("Resource", resource))
        self.sink.add(NAMESPACE, "ConcurrentExecutions", dims, in_flight, "Count", now)

    def count(self, name: str, function: str, qualifier: str | None, now: float, value: float = 1) -> None:
        """Throttles, DeadLetterErrors, DestinationDeliveryFailures, AsyncEventsReceived, IteratorAge..."""
        unit = "Milliseconds" if name == "IteratorAge" else "Count"
        self._emit(function, qualifier, None, [(name, value, unit)], now)
