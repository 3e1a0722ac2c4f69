"""``ivr-agi-classic``: the classic AGI entry point with the booking route named.

The transport (:mod:`ivr.agi.classic`) knows no flow; this module is its composition root, as
:mod:`ivr.serve` is for FastAGI: ``AGI(ivr-agi-classic,booking)`` runs the booking flow
through its route factory (which reads ``IVR_FLOW_*`` and ``IVR_SLOTS_*``), and
``IVR_AGI_ROUTES`` may add other routes. Kept apart from the ``ivr`` command so that a
per-call process imports only the transport and the flow.

Errors: none of its own (see :mod:`ivr.agi.classic` for the exit statuses).
"""

from __future__ import annotations

import sys

from ivr.agi import classic

ROUTES = {
    "booking": "ivr.serve:create_booking_handler",
    "operator-hours": "ivr.operator_hours:create_operator_hours_handler",
    "notice": "ivr.serve:create_notice_handler",
}


def main() -> int:
    return classic.main(routes=ROUTES)


if __name__ == "__main__":
    sys.exit(main())
