"""Outbound calls (issue 15): ``ivr outbound-calls`` asks the slot service which reminders and
closure notices to place now, places each with AMI Originate into the dialplan's
``[ivr-notice]`` (where the route ``notice`` runs the flow's notice mode, ``ivr.flow.notice``),
and reports every attempt's outcome back.

- :mod:`ivr.outbound.settings`: ``OutboundCallSettings`` (``IVR_OUTBOUND_*``).
- :mod:`ivr.outbound.outcomes`: what Asterisk said → the attempt's outcome (pure).
- :mod:`ivr.outbound.dialer`: one AMI connection, one Originate per call, its events.
- :mod:`ivr.outbound.job`: the loop: plan, place up to the limit, record, until done.
- :mod:`ivr.outbound.command`: the typer command.

The limits (calling window, holidays, concurrency, retries, opt-outs, one call per booking and
event) are the slot service's (``api.outbound_rules``, ``api.services.outbound``): the job
places what the plan says and nothing else.

Exceptions::

    OutboundError           base of this package's errors
    ├── DialerUnavailable   AMI unreachable, login refused, or the connection lost
    └── PlanUnavailable     the slot service refused or did not answer the plan or an outcome
"""

from __future__ import annotations


class OutboundError(Exception):
    """Base of the errors of ``ivr.outbound``."""


class DialerUnavailable(OutboundError):
    """AMI cannot be used: unreachable, login refused, or the connection lost."""


class PlanUnavailable(OutboundError):
    """The slot service refused or did not answer."""
