"""Every error the terminal phone raises, in one tree (the other modules of `ivr.phone` only
refer to it).

The flow's own failures are not errors here: they are channel variables in the call's record
(``IVR_RESULT``). What is left is the phone not being able to place or carry on a call::

    PhoneError
     ├── PhoneConnectError   the FastAGI server cannot be reached (``call``)
     ├── PhoneServerSilent   the server sent nothing for ``reply_wait_seconds`` (``call``)
     ├── NotATerminal        the interactive phone needs a terminal on standard input; use
     │                       ``--script`` (``terminal``)
     └── AgiSyntaxError      a command line from the server cannot be split: an unterminated
                             quote or escape (``asterisk``; the call answers 510, as Asterisk)

`ivr phone` and the demo catch `PhoneError` and print it.
"""

from __future__ import annotations


class PhoneError(Exception):
    """Base of the terminal phone's errors."""


class PhoneConnectError(PhoneError):
    """The FastAGI server cannot be reached."""


class PhoneServerSilent(PhoneError):
    """The FastAGI server sent no command for ``reply_wait_seconds``."""


class NotATerminal(PhoneError):
    """The interactive phone needs a terminal on standard input."""


class AgiSyntaxError(PhoneError):
    """A command line that cannot be split (an unterminated quote or escape)."""
