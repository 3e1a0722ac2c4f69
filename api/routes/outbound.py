"""Routes of outbound calls: the job's plan and outcomes and the flow's opt-out (roles ivr and
admin), the attempts of an office's day (the desk and administrators)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response, status

from api.auth import Principal, require
from api.outbound_rules import Outcome
from api.routes.deps import PrincipalDep, ServicesDep
from api.schemas import (
    MAX_ROW_ID,
    AttemptOutcomeIn,
    OptOutIn,
    OutboundAttemptOut,
    OutboundAttemptsOut,
    OutboundPlanOut,
    PlannedCallOut,
)
from api.settings import Role

router = APIRouter(prefix="/outbound", tags=["outbound"])


async def get_caller_engine(principal: PrincipalDep) -> Principal:
    return require(principal, Role.ivr, Role.admin)


async def get_attempt_reader(principal: PrincipalDep) -> Principal:
    return require(principal, Role.desk, Role.admin)


EngineDep = Annotated[Principal, Depends(get_caller_engine)]
ReaderDep = Annotated[Principal, Depends(get_attempt_reader)]


@router.post("/plan", response_model=OutboundPlanOut)
async def plan_calls(services: ServicesDep, _: EngineDep) -> OutboundPlanOut:
    """The calls to place now (each attempt recorded as in progress)."""
    plan = await services.outbound.plan()
    return OutboundPlanOut(
        calls=[
            PlannedCallOut(
                attempt_id=call.attempt_id, attempt=call.attempt, kind=call.kind.value,
                booking_reference=call.booking_reference, caller_number=call.caller_number,
                language=call.language,
            )
            for call in plan.calls
        ],
        no_call_reason=plan.no_call_reason.value if plan.no_call_reason else None,
        reminders_created=plan.reminders_created,
        closure_notices_created=plan.closure_notices_created,
        in_progress=plan.in_progress,
    )


@router.post("/attempts/{attempt_id}/outcome", status_code=status.HTTP_204_NO_CONTENT)
async def record_outcome(
    attempt_id: Annotated[int, Path(ge=1, le=MAX_ROW_ID)],
    body: AttemptOutcomeIn,
    services: ServicesDep,
    _: EngineDep,
) -> Response:
    await services.outbound.record(
        attempt_id=attempt_id, outcome=Outcome(body.outcome),
        new_booking_reference=body.new_booking_reference,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/opt-outs", status_code=status.HTTP_204_NO_CONTENT)
async def opt_out(body: OptOutIn, services: ServicesDep, _: EngineDep) -> Response:
    await services.outbound.opt_out(caller_number=body.caller_number)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/attempts", response_model=OutboundAttemptsOut)
async def attempts_of_day(
    office_code: str, day: dt.date, services: ServicesDep, _: ReaderDep
) -> OutboundAttemptsOut:
    found = await services.outbound.attempts(office_code=office_code, day=day)
    return OutboundAttemptsOut(attempts=[
        OutboundAttemptOut(
            booking_reference=row.booking_reference, kind=row.kind,
            attempt=row.attempt, started_at=row.started_at.astimezone(services.context.zone),
            outcome=row.outcome,
            new_booking_reference=row.new_booking_reference,
        )
        for row in found
    ])
