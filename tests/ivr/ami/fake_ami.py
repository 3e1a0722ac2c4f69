"""A fake Asterisk manager interface on a real TCP socket, speaking the real framing.

It sends the banner, answers Login, Ping, QueueStatus (an EventList with QueueEntry/QueueMember
events and QueueStatusComplete), Getvar, QueuePause and Originate (with a later
OriginateResponse), echoes ActionIDs, and lets a test push raw events or recorded transcripts,
stop answering pings (a half-open connection) or drop every connection.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

Frame = list[tuple[str, str]]


def encode(frame: Iterable[tuple[str, str]]) -> bytes:
    return b"".join(f"{k}: {v}\r\n".encode() for k, v in frame) + b"\r\n"


def parse(raw: bytes) -> Frame:
    frame: Frame = []
    for line in raw.decode().split("\r\n"):
        key, sep, value = line.partition(": ")
        if sep:
            frame.append((key, value))
    return frame


def load_transcript(path: Path) -> list[bytes]:
    """A recorded AMI stream: frames separated by blank lines (LF or CRLF in the file)."""
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    frames = [chunk.strip("\n") for chunk in text.split("\n\n") if chunk.strip()]
    return [("\r\n".join(f.split("\n")) + "\r\n\r\n").encode() for f in frames]


@dataclass
class FakeAmi:
    username: str = "ivr"
    secret: str = "secret"
    answer_pings: bool = True
    unanswered_actions: frozenset[str] = frozenset()  # lower-case names left without a reply
    queue_entries: list[dict[str, str]] = field(default_factory=list)
    queue_members: list[dict[str, str]] = field(default_factory=list)
    variables: dict[str, dict[str, str]] = field(default_factory=dict)
    originate_answers: bool = True
    callback_dial_status: str = "ANSWER"
    received: list[dict[str, str]] = field(default_factory=list)
    logins: int = 0
    port: int = 0

    def __post_init__(self) -> None:
        self._writers: list[asyncio.StreamWriter] = []
        self._server: asyncio.Server | None = None
        self.login_event = asyncio.Event()

    async def start(self) -> FakeAmi:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        self.drop_connections()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def drop_connections(self) -> None:
        for writer in self._writers:
            writer.close()
        self._writers.clear()

    def actions(self, name: str) -> list[dict[str, str]]:
        return [a for a in self.received if a.get("Action", "").lower() == name.lower()]

    async def push(self, frame: Mapping[str, object]) -> None:
        pairs: Frame = []
        for key, value in frame.items():
            values = value if isinstance(value, list) else [value]
            pairs.extend((key, str(v)) for v in values)
        await self.push_raw(encode(pairs))

    async def push_raw(self, data: bytes, *, chunk: int = 0) -> None:
        """Send bytes to every client; ``chunk`` > 0 splits them into tiny TCP writes."""
        for writer in list(self._writers):
            if chunk:
                for start in range(0, len(data), chunk):
                    writer.write(data[start : start + chunk])
                    await writer.drain()
                    await asyncio.sleep(0)
            else:
                writer.write(data)
                await writer.drain()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.append(writer)
        writer.write(b"Asterisk Call Manager/9.0.0\r\n")
        try:
            while True:
                raw = await reader.readuntil(b"\r\n\r\n")
                action = dict(parse(raw))
                self.received.append(action)
                for reply in self._answer(action, parse(raw)):
                    writer.write(reply)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            if writer in self._writers:
                self._writers.remove(writer)
            writer.close()

    def _answer(self, action: dict[str, str], frame: Frame) -> list[bytes]:
        name = action.get("Action", "").lower()
        aid = ("ActionID", action.get("ActionID", ""))
        if name in self.unanswered_actions:
            return []
        if name == "login":
            if action.get("Username") == self.username and action.get("Secret") == self.secret:
                self.logins += 1
                self.login_event.set()
                return [encode([("Response", "Success"), aid,
                                ("Message", "Authentication accepted")])]
            return [encode([("Response", "Error"), aid, ("Message", "Authentication failed")])]
        if name == "ping":
            if not self.answer_pings:
                return []
            return [encode([("Response", "Success"), aid, ("Ping", "Pong"),
                            ("Timestamp", "1700000000.000000")])]
        if name == "queuestatus":
            replies = [encode([("Response", "Success"), aid, ("EventList", "start"),
                               ("Message", "Queue status will follow")])]
            for member in self.queue_members:
                replies.append(encode([("Event", "QueueMember"), *member.items(), aid]))
            for entry in self.queue_entries:
                replies.append(encode([("Event", "QueueEntry"), *entry.items(), aid]))
            replies.append(encode([("Event", "QueueStatusComplete"), aid,
                                   ("EventList", "Complete"),
                                   ("ListItems", str(len(self.queue_entries)))]))
            return replies
        if name == "getvar":
            channel_vars = self.variables.get(action.get("Channel", ""))
            if channel_vars is None:
                return [encode([("Response", "Error"), aid, ("Message", "No such channel")])]
            value = channel_vars.get(action.get("Variable", ""), "")
            return [encode([("Response", "Success"), aid,
                            ("Variable", action.get("Variable", "")), ("Value", value)])]
        if name == "queuepause":
            return [encode([("Response", "Success"), aid,
                            ("Message", "Interface paused successfully")])]
        if name == "originate":
            variables = [v for k, v in frame if k == "Variable"]
            action["Variable"] = ",".join(variables)
            result = "Success" if self.originate_answers else "Failure"
            reason = "4" if self.originate_answers else "3"
            callback_id = next((v.split("=", 1)[1] for v in variables
                                if v.startswith("IVR_CALLBACK_ID=")), "")
            dialled = [encode([("Event", "UserEvent"), ("UserEvent", "IvrCallbackResult"),
                               ("Channel", action.get("Channel", "")),
                               ("Uniqueid", "1700000099.1"), ("CallbackId", callback_id),
                               ("DialStatus", self.callback_dial_status)])]
            return [
                encode([("Response", "Success"), aid,
                        ("Message", "Originate successfully queued")]),
                encode([("Event", "OriginateResponse"), aid, ("Response", result),
                        ("Channel", action.get("Channel", "")), ("Context", "ivr-callback"),
                        ("Exten", action.get("Exten", "")), ("Reason", reason),
                        ("Uniqueid", "1700000099.1")]),
                *(dialled if self.originate_answers else []),
            ]
        return [encode([("Response", "Error"), aid, ("Message", "Invalid/unknown command")])]
