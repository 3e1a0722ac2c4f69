"""The booking call flow: one spec per state, a pure table-driven state machine built from them,
and the one runner that performs it.

- :mod:`ivr.flow.menus`: one spec per state (a menu's prompts and keys, a waiting state's
  request and answers) and ``prompt_ids()``; :mod:`ivr.flow.spec`: the words of the specs.
- :mod:`ivr.flow.machine`: the transition table built from the specs, and the rules common to
  every menu; no I/O. :mod:`ivr.flow.steps`: the decisions that need code, and the endings.
- :mod:`ivr.flow.voice`: a menu's spec → the ``Ask`` the caller hears.
- :mod:`ivr.flow.call`: the states and the call record. :mod:`ivr.flow.actions` /
  :mod:`ivr.flow.events`: what the machine asks for and hears back.
- :mod:`ivr.flow.runner`: performs actions over an ``AgiChannel`` and the slot adapter
  (:mod:`ivr.slots.adapter`); builds the AGI route handler (``build_booking_runner``,
  ``create_booking_handler``).
- :mod:`ivr.flow.table`: the table as Markdown (docs/call-flow.md).
- :mod:`ivr.flow.settings`: ``FlowSettings`` (``IVR_FLOW_*``), passed in, never read here.

Exceptions: ``FlowError`` (the machine driven outside its table) is the only one of this
package; the slot adapter turns slot client errors into events, the runner ``AgiHangup`` into
one, and anything else reaches the transport after ``IVR_RESULT=error``.
"""

from ivr.flow.call import FlowError
from ivr.flow.machine import Machine
from ivr.flow.menus import prompt_ids

__all__ = ["FlowError", "Machine", "prompt_ids"]
