"""Prometheus metrics of one app, in the app's own registry (never the process-global one),
so several apps in one process (tests, the call engine's in-process client) do not collide."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

LABELS = ("office", "channel", "language")


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.holds = Counter("slots_holds", "Holds created", LABELS, registry=self.registry)
        self.bookings = Counter(
            "slots_bookings", "Bookings confirmed", LABELS, registry=self.registry
        )
        self.cancellations = Counter(
            "slots_cancellations", "Bookings cancelled", LABELS, registry=self.registry
        )
        self.refusals = Counter(
            "slots_refusals",
            "Requests refused with an error id",
            (*LABELS, "error_id"),
            registry=self.registry,
        )
        self.request_seconds = Histogram(
            "slots_request_seconds",
            "HTTP request duration by route template",
            ("method", "route"),
            registry=self.registry,
        )

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
