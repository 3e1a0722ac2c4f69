"""Prometheus metrics of the call engine, on a registry passed in (tests use their own).

The transport counts calls (started, finished with how they ended, refused before a route ran).
The flow's runner reports each call's business outcome through `record_outcome`, so outcomes,
fall-out reasons and languages are counted once, by the layer that knows them.

`labels()` takes a lock and validates the label values on every call; the children of the
per-call counters are kept per label set instead (a handful of routes and endings).

Errors: none of its own; prometheus_client raises `ValueError` for a label it cannot use.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge


class AgiMetrics:
    """Counters and gauges of one server (or one classic AGI process)."""

    def __init__(self, *, registry: CollectorRegistry) -> None:
        self.registry = registry
        self._calls_started = Counter(
            "ivr_calls_started", "Calls accepted and routed", ["route"], registry=registry
        )
        self._calls_finished = Counter(
            "ivr_calls_finished",
            "Calls whose AGI session ended, by how it ended (completed, hangup, error, timeout)",
            ["route", "ending"],
            registry=registry,
        )
        self._calls_refused = Counter(
            "ivr_calls_refused",
            "Connections closed before a route ran (peer-not-allowed, capacity, "
            "bad-request, unknown-route, shutting-down)",
            ["reason"],
            registry=registry,
        )
        self._calls_active = Gauge("ivr_calls_active", "Calls in progress", registry=registry)
        self._started_by_route: dict[str, Counter] = {}
        self._finished_by_ending: dict[tuple[str, str], Counter] = {}
        self._outcomes = Counter(
            "ivr_call_outcomes",
            "Call results reported by the flow (booked, cancelled, fallout, hangup, error)",
            ["result", "language"],
            registry=registry,
        )
        self._fallouts = Counter(
            "ivr_call_fallouts",
            "Hand-overs to an operator by reason and language",
            ["reason", "language"],
            registry=registry,
        )

    def call_started(self, *, route: str) -> None:
        started = self._started_by_route.get(route)
        if started is None:
            started = self._started_by_route[route] = self._calls_started.labels(route=route)
        started.inc()
        self._calls_active.inc()

    def call_finished(self, *, route: str, ending: str) -> None:
        finished = self._finished_by_ending.get((route, ending))
        if finished is None:
            finished = self._calls_finished.labels(route=route, ending=ending)
            self._finished_by_ending[route, ending] = finished
        finished.inc()
        self._calls_active.dec()

    def call_refused(self, *, reason: str) -> None:
        self._calls_refused.labels(reason=reason).inc()

    def record_outcome(
        self, *, result: str, language: str, fallout_reason: str | None = None
    ) -> None:
        """Called by the flow once per call with its `IVR_RESULT` (and reason on a fall-out)."""
        self._outcomes.labels(result=result, language=language).inc()
        if fallout_reason is not None:
            self._fallouts.labels(reason=fallout_reason, language=language).inc()
