"""Route factories used by the classic AGI tests (loaded by dotted path in a subprocess)."""

from __future__ import annotations

from ivr.agi.channel import AgiChannel, AgiHandler
from ivr.agi.errors import AgiHangup
from ivr.agi.metrics import AgiMetrics


def create_probe_handler(*, metrics: AgiMetrics) -> AgiHandler:
    """Reports what the channel saw through channel variables."""

    async def probe(channel: AgiChannel) -> None:
        try:
            await channel.set_variable("SEEN_SCRIPT_ARGS", ",".join(channel.env.args))
            key = await channel.stream_file("en/ivr/welcome", "12")
            await channel.set_variable("SEEN_KEY", key or "none")
            silence = await channel.get_data("en/ivr/passport-prompt", 3000, 10)
            await channel.set_variable("SEEN_SILENCE", f"{silence.digits}/{silence.timed_out}")
            hashed = await channel.get_data("en/ivr/passport-prompt", 3000, 10)
            await channel.set_variable("SEEN_HASH", f"{hashed.digits}/{hashed.timed_out}")
            await channel.wait_for_digit(3000)
            metrics.record_outcome(result="booked", language=channel.env.language)
            await channel.set_variable("IVR_RESULT", "booked")
        except AgiHangup:
            await channel.set_variable("IVR_RESULT", "hangup")
            raise

    return probe


def create_crashing_handler(*, metrics: AgiMetrics) -> AgiHandler:
    async def crash(channel: AgiChannel) -> None:
        await channel.stream_file("en/ivr/welcome")
        raise RuntimeError("flow bug in classic AGI")

    return crash
