"""Request and response bodies of the HTTP contract (docs/architecture.md), one per use."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from api.identity import PASSPORT_DIGITS_PATTERN

Language = Literal["cs", "en", "uk", "ru", "vi"]
CallerNumber = Annotated[str, StringConstraints(pattern=r"^\+[1-9][0-9]{6,14}$")]
PassportDigits = Annotated[str, StringConstraints(pattern=PASSPORT_DIGITS_PATTERN)]
Reference = Annotated[str, StringConstraints(pattern=r"^[0-9]{8}$")]
HHMM = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
MAX_ROW_ID = 2_147_483_647  # PostgreSQL INTEGER; a larger id is refused (422), not a 500
RowId = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Names(BaseModel):
    cs: str
    en: str
    uk: str
    ru: str
    vi: str


class OfficeOut(BaseModel):
    code: str
    region: str
    names: Names
    address: str
    active: bool
    menu_order: int
    opening_hours: dict[str, list[str]]


class VisitTypeOut(BaseModel):
    code: str
    names: Names
    duration_minutes: int
    menu_order: int


class SlotOut(BaseModel):
    slot_id: int
    office: str
    visit_type: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    free_seats: int


class AvailabilityOut(BaseModel):
    slots: list[SlotOut]


class HoldIn(Strict):
    slot_id: RowId
    caller_number: CallerNumber
    language: Language


class HoldOut(BaseModel):
    hold_id: str
    slot_id: int
    expires_at: dt.datetime
    channel: str


class IdentityIn(Strict):
    passport_digits: PassportDigits
    birth_date: dt.date

    @model_validator(mode="after")
    def _plausible_birth_date(self) -> IdentityIn:
        if not dt.date(1900, 1, 1) <= self.birth_date <= dt.date.today():
            raise ValueError("birth_date must be a past date after 1900")
        return self


class BookingIn(IdentityIn):
    hold_id: str
    caller_number: CallerNumber
    language: Language


class OperatorBookingIn(IdentityIn):
    slot_id: RowId
    caller_number: CallerNumber
    language: Language


class ProofIn(Strict):
    """Either the caller number, or the passport digits with the birth date."""

    caller_number: CallerNumber | None = None
    passport_digits: PassportDigits | None = None
    birth_date: dt.date | None = None

    @model_validator(mode="after")
    def _complete(self) -> ProofIn:
        if (self.passport_digits is None) != (self.birth_date is None):
            raise ValueError("passport_digits and birth_date go together")
        return self


class RescheduleIn(ProofIn):
    """The new hold (made for ``caller_number``) and the proof of the old booking: the caller
    number it was booked from, or the identity."""

    hold_id: str
    caller_number: CallerNumber
    language: Language | None = None


class BookingOut(BaseModel):
    reference: str
    office: str
    visit_type: str
    slot_id: int
    starts_at: dt.datetime
    status: str
    channel: str
    caller_number: str
    language: str


class AttendanceIn(Strict):
    status: Literal["attended", "no-show"]


class ClosurePeriodIn(Strict):
    """An office's day, or the part of it from ``start`` to ``end`` (local time)."""

    office: str
    date: dt.date
    start: HHMM | None = None
    end: HHMM | None = None


class ClosureIn(ClosurePeriodIn):
    reason: str = Field(min_length=1, max_length=200)


class ClosureOut(BaseModel):
    closure_id: int
    office: str
    date: dt.date
    start: str | None
    end: str | None
    reason: str
    created_at: dt.datetime
    created_by: str
    reopened_at: dt.datetime | None


class ClosurePreviewOut(BaseModel):
    """What confirming would do: the bookings it would cancel, the slots it would close."""

    bookings_to_cancel: list[BookingOut]
    slots_to_close: int


class ClosureCreatedOut(ClosureOut):
    bookings_cancelled: list[BookingOut]
    slots_closed: int


class SeatsIn(Strict):
    phone: int = Field(ge=0, le=1000)
    operator: int = Field(ge=0, le=1000)
    counter: int = Field(ge=0, le=1000)


class CapacityTemplateIn(Strict):
    office: str
    visit_type: str
    weekday: int = Field(ge=0, le=6)
    start: HHMM
    end: HHMM
    seats: SeatsIn


class CapacityTemplateOut(BaseModel):
    template_id: int
    office: str
    visit_type: str
    weekday: int
    start: str
    end: str
    seats: dict[str, int]


class MaterialiseOut(BaseModel):
    created_slots: int


class ErrorOut(BaseModel):
    error_id: str
    message: str
    details: dict[str, object]


class DeskBookingOut(BaseModel):
    """A booking as the desk sees it: the caller masked, the identity as a short tag."""

    reference: str
    office: str
    visit_type: str
    slot_id: int
    starts_at: dt.datetime
    status: str
    channel: str
    language: str
    caller: str
    identity: str
    attendance_at: dt.datetime | None
    cancelled_by_closure_id: int | None


class DayFiguresOut(BaseModel):
    booked: int
    expected: int
    arrived: int
    no_show: int
    cancelled: int


class DeskDayOut(BaseModel):
    office: str
    date: dt.date
    bookings: list[DeskBookingOut]
    figures: dict[str, DayFiguresOut]
    totals: DayFiguresOut
    closures: list[ClosureOut]


class CheckInIn(Strict):
    """Arrived (``attended``), ``no-show``, or ``confirmed``: expected again (undo)."""

    status: Literal["attended", "no-show", "confirmed"]


class NoShowRateOut(BaseModel):
    key: str
    visits: int
    no_shows: int
    rate: float


class NoShowRatesOut(BaseModel):
    since: dt.date
    until: dt.date
    by_caller_number: list[NoShowRateOut]
    by_identity: list[NoShowRateOut]


class CapacityChangeIn(Strict):
    seats: SeatsIn


class CapacityChangeOut(BaseModel):
    template: CapacityTemplateOut
    slots_changed: int


# -- outbound calls (issue 15) ------------------------------------------------------------------

NoticeKindName = Literal["reminder", "closure-notice"]
OutcomeName = Literal[
    "kept", "cancelled", "rebooked", "opted-out", "operator", "hung-up",
    "busy", "no-answer", "answering-machine", "failed",
]


class PlannedCallOut(BaseModel):
    attempt_id: int
    attempt: int
    kind: NoticeKindName
    booking_reference: str
    caller_number: str
    language: str


class OutboundPlanOut(BaseModel):
    """The calls to place now; ``no_call_reason`` says why there are none when calls are not
    allowed at this moment."""

    calls: list[PlannedCallOut]
    no_call_reason: Literal["outside-hours", "public-holiday"] | None
    reminders_created: int
    closure_notices_created: int
    in_progress: int


class AttemptOutcomeIn(Strict):
    outcome: OutcomeName
    new_booking_reference: str | None = Field(default=None, min_length=8, max_length=8)


class OptOutIn(Strict):
    caller_number: CallerNumber


class OutboundAttemptOut(BaseModel):
    booking_reference: str
    kind: NoticeKindName
    attempt: int
    started_at: dt.datetime
    outcome: OutcomeName | None  # None while the call is in progress
    new_booking_reference: str | None


class OutboundAttemptsOut(BaseModel):
    attempts: list[OutboundAttemptOut]
