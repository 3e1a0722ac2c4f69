"""Every error the AMI bridge and its queue model raise, in one tree (the other modules of
`ivr.ami` only refer to it)::

    AmiError                  base of everything this package raises
    ├── AmiNotConnected       no logged-in connection right now (``bridge``)
    ├── AmiTimeout            an action or ping got no answer in time (``bridge``)
    ├── AmiLoginFailed        Asterisk refused the credentials (``bridge``)
    ├── AmiActionFailed       Asterisk answered ``Response: Error`` (message in ``str()``)
    ├── MalformedEvent        a known event with a value that does not convert, e.g. a
    │                         ``Position`` that is not a number (``queue_state``)
    └── CallbackNotPending    a callback was started that is already dialing or done
                              (``queue_state``)

The bridge logs a `MalformedEvent` and skips the event; in a QueueStatus re-sync it ends the
connection like any other `AmiError`, and the bridge reconnects. The operator console turns the
rest into JSON errors (``ivr.console.app``).
"""

from __future__ import annotations


class AmiError(Exception):
    """Base of everything `ivr.ami` raises."""


class AmiNotConnected(AmiError):
    """No logged-in AMI connection right now."""


class AmiTimeout(AmiError):
    """An action or ping got no answer in time."""


class AmiLoginFailed(AmiError):
    """Asterisk refused the credentials."""


class AmiActionFailed(AmiError):
    """Asterisk answered ``Response: Error``."""


class MalformedEvent(AmiError):
    """A known AMI event carries a value that does not convert."""


class CallbackNotPending(AmiError):
    """The callback is not waiting to be started (already dialing, answered or failed)."""
