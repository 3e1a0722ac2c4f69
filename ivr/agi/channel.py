"""The interface between the call flow and Asterisk: one `AgiChannel` per call.

The flow's runner is written against this Protocol only. Two transports implement it: the
FastAGI session of `ivr.agi.session` (one coroutine per call on a long-running server) and the
classic AGI adapter of `ivr.agi.classic` (one process per call, stdin/stdout, through pyst2).
Both share the command semantics of `ivr.agi.commands.AgiCommands`, so a flow behaves the same
over either.

Errors (tree in `ivr.agi.errors`): every method raises `AgiHangup` once the caller is gone
(and `hung_up` is then true), `AgiAppError` when Asterisk fails the command on a live channel (a
missing sound file), `AgiTimeout` when Asterisk does not answer in time, and `AgiInvalidCommand`,
`AgiUsageError`, `AgiProtocolError` for programming or peer errors.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable
from urllib.parse import parse_qsl


@dataclass(frozen=True)
class AgiEnvironment:
    """The `agi_*` variables Asterisk sends when a call enters AGI.

    `network_script` is the path after the host of `agi://host/<path>` (classic AGI: empty),
    with its `?query` kept as Asterisk sends it; `script` and `query` split it for routing.
    """

    network_script: str = ""
    request: str = ""
    channel: str = ""
    language: str = "en"
    uniqueid: str = ""
    callerid: str = ""
    calleridname: str = ""
    dnid: str = ""
    context: str = ""
    extension: str = ""
    args: tuple[str, ...] = ()
    raw: Mapping[str, str] = field(default_factory=dict)

    @property
    def script(self) -> str:
        """The route name: `network_script` without its query and surrounding slashes."""
        return self.network_script.partition("?")[0].strip("/")

    @property
    def query(self) -> dict[str, str]:
        """The `?a=1&b=2` part of `network_script` as a dict (last value wins)."""
        return dict(parse_qsl(self.network_script.partition("?")[2], keep_blank_values=True))

    @property
    def caller_number(self) -> str | None:
        """The caller id number, or None when Asterisk reports it as unknown."""
        if self.callerid in ("", "unknown"):
            return None
        return self.callerid


@dataclass(frozen=True)
class DigitsResult:
    """What GET DATA or Read collected.

    `timed_out` is true when the caller stopped keying (Asterisk's `(timeout)`); an empty
    `digits` without a timeout means the caller pressed `#` at once.
    """

    digits: str
    timed_out: bool

    @property
    def ended_by_hash(self) -> bool:
        """True when input ended with `#` (or the maximum count) rather than by silence."""
        return not self.timed_out


@runtime_checkable
class AgiChannel(Protocol):
    """One call, as the flow sees it. All methods are coroutines; all raise `AgiHangup`
    once the caller is gone."""

    @property
    def env(self) -> AgiEnvironment:
        """The environment Asterisk sent at the start of the call."""
        ...

    @property
    def hung_up(self) -> bool:
        """True once Asterisk has reported that the caller hung up."""
        ...

    async def stream_file(self, name: str, escape_digits: str = "") -> str | None:
        """Play a sound file; return the escape digit that interrupted it, or None."""
        ...

    async def get_data(self, name: str, timeout_ms: int, max_digits: int) -> DigitsResult:
        """Play a prompt and collect up to `max_digits` digits (`#` ends the input)."""
        ...

    async def read_digits(
        self,
        names: Sequence[str],
        *,
        max_digits: int,
        first_digit_timeout_ms: int,
        inter_digit_timeout_ms: int,
    ) -> DigitsResult:
        """Play prompts, interruptible by any key, and collect up to `max_digits` keys in one
        command (`#` ends), with separate first-digit and inter-digit timeouts."""
        ...

    async def wait_for_digit(self, timeout_ms: int) -> str | None:
        """Wait for one key; None when none came within `timeout_ms`."""
        ...

    async def set_variable(self, name: str, value: str) -> None:
        """Set a channel variable or a writable function such as `CHANNEL(language)`."""
        ...

    async def get_variable(self, name: str) -> str | None:
        """A channel variable's value, or None when it is not set."""
        ...

    async def exec_app(self, app: str, data: str = "") -> int:
        """Run a dialplan application; return its result code."""
        ...

    async def verbose(self, message: str, level: int = 1) -> None:
        """Write a message to Asterisk's verbose log."""
        ...

    async def hangup(self) -> None:
        """Hang up the channel."""
        ...


AgiHandler = Callable[[AgiChannel], Awaitable[None]]
"""What a route runs for each call: the FastAGI server and the classic entry point await it
with the call's channel (its route query is in `channel.env.query`)."""
