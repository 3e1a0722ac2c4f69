from __future__ import annotations

import asyncio
import contextlib

import httpx
from pydantic import SecretStr
from typer.testing import CliRunner

from ivr.ami.settings import AmiSettings
from ivr.cli import app
from ivr.console.command import serve
from ivr.console.settings import ConsoleSettings
from tests.ivr.ami.fake_ami import FakeAmi
from tests.ivr.console.harness import free_port


def test_console_is_a_sub_command_of_ivr() -> None:
    result = CliRunner().invoke(app, ["console", "--help"])
    assert result.exit_code == 0
    assert "--port" in result.output


async def test_serve_answers_http_logs_in_to_asterisk_and_serves_the_desk() -> None:
    fake = await FakeAmi(secret="s").start()
    # no slot service where the console looks for it: the desk says so instead of failing
    settings = ConsoleSettings(port=free_port(), slots_base_url=f"http://127.0.0.1:{free_port()}")
    task = asyncio.create_task(serve(settings, AmiSettings(port=fake.port, secret=SecretStr("s"))))
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{settings.port}") as client:
            async with asyncio.timeout(10):
                while True:
                    try:
                        response = await client.get("/api/me")
                        break
                    except httpx.ConnectError:
                        await asyncio.sleep(0.05)
            assert response.status_code == 401
            await asyncio.wait_for(fake.login_event.wait(), 5)
            assert "desk-attempts" in (await client.get("/desk")).text
            login = await client.post("/api/desk/login", json={
                "username": "desk1", "password": "desk1-dev-password"})
            assert login.status_code == 200, login.text
            offices = await client.get("/api/desk/offices")
            assert offices.status_code == 503
            assert offices.json()["error_id"] == "slot-service-unavailable"
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await fake.close()
