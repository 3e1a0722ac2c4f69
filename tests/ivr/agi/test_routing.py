"""Routes resolve to handler factories by dotted path."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry

from ivr.agi.errors import AgiError, RouteConfigError
from ivr.agi.metrics import AgiMetrics
from ivr.agi.routing import build_routes, resolve_factory
from tests.ivr.agi import sample_routes


def test_build_routes_calls_each_factory_with_the_metrics() -> None:
    metrics = AgiMetrics(registry=CollectorRegistry())
    routes = build_routes(
        route_paths={"probe": "tests.ivr.agi.sample_routes:create_probe_handler"},
        metrics=metrics,
    )
    assert list(routes) == ["probe"]
    assert routes["probe"].__qualname__ == "create_probe_handler.<locals>.probe"
    assert resolve_factory("tests.ivr.agi.sample_routes:create_crashing_handler") is (
        sample_routes.create_crashing_handler
    )


@pytest.mark.parametrize(
    "path",
    [
        "no-colon",
        ":attr",
        "module:",
        "tests.ivr.agi.nope:factory",
        "tests.ivr.agi.sample_routes:missing",
        "tests.ivr.agi.sample_routes:annotations",
    ],
)
def test_bad_paths_are_refused(path: str) -> None:
    with pytest.raises(RouteConfigError):
        resolve_factory(path)


def test_route_errors_are_transport_errors() -> None:
    assert issubclass(RouteConfigError, AgiError)
