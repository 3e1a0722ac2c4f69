"""Typed results of the slot client, one model per resource of the HTTP contract.

pydantic validates every reply on the way in, so a reply that breaks the contract fails here,
at the edge, and the client turns it into ``SlotServiceBadResponse`` instead of letting a
``KeyError`` surface in the middle of a call. Unknown extra fields are ignored, so the service
can grow without breaking the call engine. Ids are kept as the service sends them (integer or
string) and sent back unchanged.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

ResourceId = int | str


class _Reply(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Office(_Reply):
    code: str
    region: str
    names: dict[str, str]
    address: str
    active: bool
    menu_order: int


class VisitType(_Reply):
    code: str
    names: dict[str, str]
    duration_minutes: int


class Slot(_Reply):
    slot_id: ResourceId
    office: str
    visit_type: str
    starts_at: datetime
    ends_at: datetime
    free_seats: int


class Availability(_Reply):
    slots: list[Slot]


class Hold(_Reply):
    hold_id: ResourceId
    slot_id: ResourceId
    expires_at: datetime


class Booking(_Reply):
    reference: str
    office: str
    visit_type: str
    slot_id: ResourceId
    starts_at: datetime
    status: str
    channel: str
    caller_number: str | None = None
    language: str | None = None
