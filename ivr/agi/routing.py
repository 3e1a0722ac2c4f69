"""Where the handler of a route comes from: a dotted path to a handler factory.

Both transports resolve routes the same way: a map from a route name (the FastAGI script,
`agi://host/booking`, or the classic AGI argument, `AGI(ivr-agi-classic,booking)`) to
`"package.module:factory"`, and the factory builds the handler with the call engine's metrics:

    def create_booking_handler(*, metrics: AgiMetrics) -> AgiHandler: ...

The transport has no route of its own: whoever starts it names them (`ivr serve` builds
`booking` itself, `ivr.agi_classic` names it for `ivr-agi-classic`), and `IVR_AGI_ROUTES`
(`AgiSettings.routes`) adds more. A dotted path (not a registry filled by import side effects)
keeps the wiring explicit and lets the transport stay ignorant of the flow. The factory builds
its own dependencies (settings, slot client) once; the returned handler runs once per call.

Errors (tree in `ivr.agi.errors`): `RouteConfigError` when a path does not name a callable,
`UnknownRoute` when a call asks for a route that is not in the map.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Protocol, TypeVar

from ivr.agi.channel import AgiHandler
from ivr.agi.errors import RouteConfigError, UnknownRoute
from ivr.agi.metrics import AgiMetrics

T = TypeVar("T")


class AgiHandlerFactory(Protocol):
    def __call__(self, *, metrics: AgiMetrics) -> AgiHandler: ...


def resolve_factory(dotted_path: str) -> AgiHandlerFactory:
    """Import `"package.module:attribute"` and return the factory it names."""
    module_name, sep, attribute = dotted_path.partition(":")
    if not sep or not module_name or not attribute:
        raise RouteConfigError(f"{dotted_path!r} is not of the form 'package.module:factory'")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise RouteConfigError(f"cannot import {module_name!r}: {error}") from error
    factory = getattr(module, attribute, None)
    if not callable(factory):
        raise RouteConfigError(f"{dotted_path!r} is not a callable")
    return factory  # type: ignore[no-any-return]


def build_routes(*, route_paths: Mapping[str, str], metrics: AgiMetrics) -> dict[str, AgiHandler]:
    """Build one handler per route from the settings' `{route: "module:factory"}` map."""
    return {route: resolve_factory(path)(metrics=metrics) for route, path in route_paths.items()}


def route_for(routes: Mapping[str, T], route: str) -> T:
    """What `routes` holds for `route` (a handler or a factory path); UnknownRoute otherwise."""
    try:
        return routes[route]
    except KeyError:
        known = ", ".join(sorted(routes)) or "none"
        raise UnknownRoute(f"no route {route!r} (routes given: {known})") from None
