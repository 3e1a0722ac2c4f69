"""Routes resolve to handler factories by dotted path; a route nobody gave is an UnknownRoute."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry

from ivr.agi.errors import AgiError, RouteConfigError, UnknownRoute
from ivr.agi.metrics import AgiMetrics
from ivr.agi.routing import build_routes, resolve_factory, route_for
from ivr.agi.settings import AgiSettings
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


def test_a_route_is_found_or_named_as_unknown_with_the_routes_given() -> None:
    routes = {"probe": "tests.ivr.agi.sample_routes:create_probe_handler", "crash": "x:y"}
    assert route_for(routes, "probe") == routes["probe"]
    with pytest.raises(UnknownRoute, match=r"^no route 'booking' \(routes given: crash, probe\)$"):
        route_for(routes, "booking")
    with pytest.raises(UnknownRoute, match=r"\(routes given: none\)"):
        route_for({}, "booking")


def test_route_errors_are_transport_errors() -> None:
    assert issubclass(UnknownRoute, RouteConfigError) and issubclass(RouteConfigError, AgiError)


def test_the_transport_settings_name_no_route_of_their_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("IVR_AGI_ROUTES", raising=False)
    assert AgiSettings().routes == {}
