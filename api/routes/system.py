"""``/healthz`` (no token: load balancers probe it) and ``/metrics`` (any role's token)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.routes.deps import PrincipalDep, ServicesDep

router = APIRouter(tags=["system"])


@router.get("/healthz")
async def healthz(services: ServicesDep) -> dict[str, str]:
    await services.context.database.ping()
    return {"status": "ok", "database": "ok"}


@router.get("/metrics")
async def metrics(services: ServicesDep, _: PrincipalDep) -> Response:
    return Response(
        content=services.context.metrics.exposition(),
        media_type="text/plain; version=0.0.4; charset=utf-8",
    )
