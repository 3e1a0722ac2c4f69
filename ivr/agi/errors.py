"""Every error the AGI transport raises, in one tree (the other modules of `ivr.agi` only refer
to it).

Asterisk answers a command with a status code and a `result=` value; the transport turns every
answer that is not a success into one of these, so the call flow never looks at raw replies.
Routes are the transport's configuration: who starts it names them (`ivr.agi.routing`).

    AgiError
     ├── AgiHangup            the caller is gone (HANGUP line, SIGHUP, result=-1 on a dead channel,
     │    │                   or the connection closed)
     │    └── AgiDeadChannel  511: the command is not permitted on a dead channel
     ├── AgiInvalidCommand    510: Asterisk does not know the command
     ├── AgiUsageError        520: wrong arguments; keeps Asterisk's usage text
     ├── AgiAppError          result=-1 (or -2 for EXEC) while the channel is alive, e.g. a
     │                        missing sound file
     ├── AgiProtocolError     bytes that are not AGI (garbage, over-long lines, bad environment)
     ├── AgiTimeout           Asterisk did not answer within the read timeout
     └── RouteConfigError     a route's `package.module:factory` path names no callable factory
          └── UnknownRoute    a call asks for a route nobody configured

`AgiDeadChannel` derives from `AgiHangup` because a 511 always means the caller has gone: the
flow handles both in one `except AgiHangup`. What each becomes at the end of a call is the
per-call boundary's business (`ivr.agi.boundary`).
"""

from __future__ import annotations


class AgiError(Exception):
    """Base of every error raised by the AGI transport."""


class AgiHangup(AgiError):
    """The caller hung up, or Asterisk closed the AGI session."""


class AgiDeadChannel(AgiHangup):
    """511: the command is not permitted on a dead channel."""


class AgiInvalidCommand(AgiError):
    """510: Asterisk does not know the command."""


class AgiUsageError(AgiError):
    """520: the command's arguments are wrong; `usage` is Asterisk's usage text."""

    def __init__(self, command: str, usage: str) -> None:
        super().__init__(f"{command!r}: {usage}")
        self.command = command
        self.usage = usage


class AgiAppError(AgiError):
    """The command failed while the channel is still alive (e.g. the sound file is missing)."""


class AgiProtocolError(AgiError):
    """The peer sent bytes that are not AGI."""


class AgiTimeout(AgiError):
    """Asterisk did not answer within the read timeout."""


class RouteConfigError(AgiError):
    """A route's dotted path does not name a callable factory."""


class UnknownRoute(RouteConfigError):
    """A call names a route that the server or entry point was not given."""
