"""Channel variables the flow sets for the dialplan, named once (wazo-agid's habit).

The values of ``IVR_RESULT`` and ``IVR_FALLOUT_REASON`` are the contract with the dialplan
(docs/architecture.md), so they are named here too.
"""

from __future__ import annotations

from typing import Final

IVR_LANGUAGE: Final = "IVR_LANGUAGE"
IVR_OFFICE: Final = "IVR_OFFICE"
IVR_VISIT_TYPE: Final = "IVR_VISIT_TYPE"
IVR_FALLOUT_REASON: Final = "IVR_FALLOUT_REASON"
IVR_RESULT: Final = "IVR_RESULT"
CHANNEL_LANGUAGE: Final = "CHANNEL(language)"
# an outbound notice: "<kind> <reference> <number>", set by the job's Originate (issue 15);
# the flow leaves the reference of a booking made in the call in IVR_NEW_REFERENCE
IVR_NOTICE: Final = "IVR_NOTICE"
IVR_NEW_REFERENCE: Final = "IVR_NEW_REFERENCE"

RESULT_BOOKED: Final = "booked"
RESULT_CANCELLED: Final = "cancelled"
RESULT_FALLOUT: Final = "fallout"
RESULT_HANGUP: Final = "hangup"
RESULT_ERROR: Final = "error"
RESULT_KEPT: Final = "kept"
RESULT_REBOOKED: Final = "rebooked"
RESULT_OPTED_OUT: Final = "opted-out"

REASON_OPERATOR_REQUEST: Final = "operator-request"
REASON_INVALID_INPUT: Final = "invalid-input"
REASON_NO_INPUT: Final = "no-input"
REASON_NO_SLOTS: Final = "no-slots"
REASON_IDENTITY_LIMIT: Final = "identity-limit"
REASON_SERVICE_ERROR: Final = "service-error"

FALLOUT_REASONS: Final = (
    REASON_OPERATOR_REQUEST,
    REASON_INVALID_INPUT,
    REASON_NO_INPUT,
    REASON_NO_SLOTS,
    REASON_IDENTITY_LIMIT,
    REASON_SERVICE_ERROR,
)
