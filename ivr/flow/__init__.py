"""The booking call flow: a pure, table-driven state machine and the one runner that performs it.

- :mod:`ivr.flow.machine`: the transition table; no I/O.
- :mod:`ivr.flow.call` / :mod:`ivr.flow.menus`: the states and the call record; what each
  state says (and ``prompt_ids()``).
- :mod:`ivr.flow.actions` / :mod:`ivr.flow.events`: what the machine asks for and hears back.
- :mod:`ivr.flow.runner`: performs actions over an ``AgiChannel`` and the slot client; builds
  the AGI route handler (``build_booking_runner``, ``create_booking_handler``).
- :mod:`ivr.flow.settings`: ``FlowSettings`` (``IVR_FLOW_*``).

Exceptions: ``FlowError`` (machine) is the only one of this package; the runner turns slot
client errors and ``AgiHangup`` into events and lets anything else reach the transport.
"""

from ivr.flow.call import FlowError
from ivr.flow.machine import Machine
from ivr.flow.menus import prompt_ids

__all__ = ["FlowError", "Machine", "prompt_ids"]
