"""What the call flow knows about one call: its states and an immutable record of the call.

Kept apart from the transition table (:mod:`ivr.flow.machine`), the specs (:mod:`ivr.flow.menus`)
and what each state says (:mod:`ivr.flow.voice`), which all read it.

The package's one exception lives here, so both can raise it::

    FlowError   an event the table does not expect in a state, or a state that asks nothing
                (a runner or machine bug, never caller input)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Final, Protocol

from ivr.slots.models import Booking, Hold, Office, Slot, VisitType


class FlowError(Exception):
    """The flow was driven outside its table (a bug in the runner or the machine)."""


class Speaker(Protocol):
    """Prompt fragment ids for dynamic content in one language (``ivr.speech.Speaker``)."""

    def weekday(self, day: dt.date) -> Sequence[str]: ...

    def date(self, day: dt.date) -> Sequence[str]: ...

    def date_with_year(self, day: dt.date) -> Sequence[str]: ...

    def time(self, moment: dt.time) -> Sequence[str]: ...

    def digits(self, digits: str) -> Sequence[str]: ...

    def reference(self, reference: str) -> Sequence[str]: ...


class State(StrEnum):
    STARTING = "starting"
    LANGUAGE = "language"
    LOOKUP = "lookup"
    EXISTING_MENU = "existing-menu"
    CANCEL_CONFIRM = "cancel-confirm"
    CANCELLING = "cancelling"
    LOADING_OFFICES = "loading-offices"
    REGION = "region"
    OFFICE = "office"
    LOADING_VISIT_TYPES = "loading-visit-types"
    VISIT_TYPE = "visit-type"
    PASSPORT = "passport"
    BIRTH_DATE = "birth-date"
    CONFIRM_IDENTITY = "confirm-identity"
    SEARCHING = "searching"
    HOLDING = "holding"
    SLOT_OFFER = "slot-offer"
    BOOKING = "booking"
    REFERENCE = "reference"
    GOODBYE = "goodbye"
    OPERATOR = "operator"
    HUNG_UP = "hung-up"
    # the notice mode of an outbound call (issue 15): ivr.flow.notice
    NOTICE_STARTING = "notice-starting"
    NOTICE_LOADING = "notice-loading"
    NOTICE_REMINDER = "notice-reminder"
    NOTICE_CLOSURE = "notice-closure"
    NOTICE_CANCELLING = "notice-cancelling"
    NOTICE_OPTING_OUT = "notice-opting-out"
    NOTICE_SEARCHING = "notice-searching"
    NOTICE_HOLDING = "notice-holding"
    NOTICE_SLOT_OFFER = "notice-slot-offer"
    REBOOKING = "rebooking"
    NOTICE_REFERENCE = "notice-reference"


TERMINAL_STATES: Final = frozenset({State.GOODBYE, State.OPERATOR, State.HUNG_UP})


@dataclass(frozen=True)
class Call:
    """Everything the flow knows about one call; replaced, never mutated."""

    state: State
    call_id: str
    caller_number: str
    started_at: datetime
    language: str | None = None
    existing: Booking | None = None
    offices: tuple[Office, ...] = ()
    region: str | None = None
    office: str | None = None
    visit_types: tuple[VisitType, ...] = ()
    visit_type: str | None = None
    passport: str | None = field(default=None, repr=False)
    birth_date: date | None = field(default=None, repr=False)
    search_after: datetime | None = None
    slot: Slot | None = None
    hold: Hold | None = None
    booking: Booking | None = None
    invalid_inputs: int = 0
    no_inputs: int = 0
    keys_explained: bool = False  # keys-help heard (once per call, after the language)
    result: str | None = None
    fallout_reason: str | None = None
    notice_kind: str | None = None  # an outbound notice: "reminder" or "closure-notice"
    notice_reference: str | None = None  # the booking the notice is about

    @property
    def region_offices(self) -> tuple[Office, ...]:
        return tuple(office for office in self.offices if office.region == self.region)
