"""CPU of the HTTP client per slot-service request: how the slot client was chosen (issue 14).

A uvicorn server (httptools, one process of its own) answers every request with the slot
service's reply to ``GET /offices`` (seed offices, about 2.5 KB of JSON, ``Content-Length``);
this process sends ``--requests`` GETs from ``--concurrency`` tasks through each client in turn,
``--rounds`` times alternated, and prints the client process's CPU (user + system) per request,
the median of the rounds:

- ``httpx``: ``httpx.AsyncClient`` as the slot client used it until issue 14 (pool of 20);
- ``aiohttp``: ``aiohttp.ClientSession`` with a ``TCPConnector(limit=20)``;
- ``lean``: :class:`ivr.slots.http.KeepAlivePool` (pool of 20), the slot client's now;
- ``*_post``: the same client sending ``POST /holds`` with a JSON body (the reply is the same);
- ``slot_client``: :class:`ivr.slots.SlotClient.offices` over ``lean``, i.e. with the JSON
  decoding and the pydantic models.

    .venv/bin/python bench/slot_client_bench.py [--requests 3000 --concurrency 40 --rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
import httpx  # noqa: E402

from bench.load_bench import free_port  # noqa: E402
from ivr.slots import SlotClient  # noqa: E402
from ivr.slots.client import JSON_BODY  # noqa: E402
from ivr.slots.http import KeepAlivePool  # noqa: E402

HOLD = {"slot_id": 123456, "caller_number": "+420777123456", "language": "en"}

SERVER = """
import json, sys, tomllib, uvicorn
seed = tomllib.load(open(sys.argv[2], "rb"))
offices = [{"code": o["code"], "region": o["region"], "names": o["names"],
            "address": o.get("address", ""), "active": True, "menu_order": n}
           for n, o in enumerate(seed["offices"])]
body = json.dumps(offices).encode()
headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), http="httptools", log_level="warning",
            access_log=False)
"""


async def wait_for(port: int) -> None:
    for _ in range(100):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.1)
            continue
        writer.close()
        return
    raise TimeoutError("the server did not start")


async def measure(send: Callable[[], Awaitable[object]], requests: int, concurrency: int) -> float:
    """CPU ms of this process per request."""
    left = requests

    async def worker() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            await send()

    await asyncio.gather(*(send() for _ in range(concurrency)))  # warm: open the connections
    before = time.process_time()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return (time.process_time() - before) * 1000 / requests


Rounds = dict[str, list[float]]


async def httpx_round(url: str, headers: dict[str, str], args: argparse.Namespace,
                      results: Rounds) -> None:
    async with httpx.AsyncClient(
        base_url=url, headers=headers, limits=httpx.Limits(max_connections=20)
    ) as client:
        async def get() -> object:
            return (await client.get("/offices")).json()

        async def post() -> object:
            return (await client.post("/holds", json=HOLD)).json()

        results["httpx"].append(await measure(get, args.requests, args.concurrency))
        results["httpx_post"].append(await measure(post, args.requests, args.concurrency))


async def aiohttp_round(url: str, headers: dict[str, str], args: argparse.Namespace,
                        results: Rounds) -> None:
    async with aiohttp.ClientSession(
        url, headers=headers, connector=aiohttp.TCPConnector(limit=20)
    ) as session:
        async def get() -> object:
            async with session.get("/offices") as response:
                return await response.json()

        async def post() -> object:
            async with session.post("/holds", json=HOLD) as response:
                return await response.json()

        results["aiohttp"].append(await measure(get, args.requests, args.concurrency))
        results["aiohttp_post"].append(await measure(post, args.requests, args.concurrency))


async def lean_round(url: str, headers: dict[str, str], args: argparse.Namespace,
                     results: Rounds) -> None:
    pool = KeepAlivePool(url, headers=headers, max_connections=20)

    async def get() -> object:
        return json.loads((await pool.request("GET", "/offices")).body)

    async def post() -> object:
        body = json.dumps(HOLD, separators=(",", ":")).encode()
        return json.loads((await pool.request("POST", "/holds", headers=JSON_BODY,
                                              body=body)).body)

    results["lean"].append(await measure(get, args.requests, args.concurrency))
    results["lean_post"].append(await measure(post, args.requests, args.concurrency))
    await pool.aclose()
    async with SlotClient(base_url=url, token="t") as slots:
        results["slot_client"].append(
            await measure(slots.offices, args.requests, args.concurrency)
        )


async def main(args: argparse.Namespace) -> dict[str, object]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(port), str(ROOT / "api/seed/seed.toml")]
    )
    names = ("httpx", "aiohttp", "lean", "slot_client")
    results: Rounds = {name: [] for name in names}
    results.update({f"{name}_post": [] for name in names[:3]})
    try:
        await wait_for(port)
        headers = {"Authorization": "Bearer t", "Accept": "application/json"}
        for _ in range(args.rounds):
            for one_round in (httpx_round, aiohttp_round, lean_round):
                await one_round(url, headers, args, results)
    finally:
        server.terminate()
        server.wait(10)
    figures: dict[str, object] = {
        f"cpu_ms_per_request_{name}": round(statistics.median(rounds), 3)
        for name, rounds in results.items()
    }
    figures["rounds"] = {name: [round(r, 3) for r in rounds] for name, rounds in results.items()}
    figures.update(requests=args.requests, concurrency=args.concurrency,
                   load_avg_1m=round(os.getloadavg()[0], 2))
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    print(json.dumps(asyncio.run(main(parser.parse_args()))))
