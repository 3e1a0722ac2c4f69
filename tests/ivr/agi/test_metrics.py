"""AgiMetrics: the per-call counters, whose children are cached per label set."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from ivr.agi.metrics import AgiMetrics


def test_cached_children_count_each_label_set_apart() -> None:
    metrics = AgiMetrics(registry=CollectorRegistry())
    endings = [("booking", "completed")] * 3 + [("booking", "hangup"), ("test", "error")]
    for route, ending in endings:
        metrics.call_started(route=route)
        metrics.call_finished(route=route, ending=ending)
    metrics.call_started(route="booking")

    def value(name: str, **labels: str) -> float | None:
        return metrics.registry.get_sample_value(name, labels)

    assert value("ivr_calls_started_total", route="booking") == 5
    assert value("ivr_calls_started_total", route="test") == 1
    assert value("ivr_calls_finished_total", route="booking", ending="completed") == 3
    assert value("ivr_calls_finished_total", route="booking", ending="hangup") == 1
    assert value("ivr_calls_finished_total", route="test", ending="error") == 1
    assert value("ivr_calls_finished_total", route="test", ending="completed") is None
    assert value("ivr_calls_active") == 1
