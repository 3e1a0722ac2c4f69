"""The slot client's requests through an httpx transport instead of TCP: for a slot service
served in the same process (``httpx.ASGITransport``: the flow's tests, the fault tests) and for
``httpx.MockTransport`` handlers. The call engine itself talks over TCP through
:class:`ivr.slots.http.KeepAlivePool`; this is its interface on top of httpx.

httpx's errors become the ones :mod:`ivr.slots.http` draws (``ConnectFailed``,
``ConnectionClosed``, ``ProtocolError``), and its timeouts ``TimeoutError``, so the slot client
maps both paths the same way.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from ivr.slots.http import ConnectFailed, ConnectionClosed, HttpResponse, ProtocolError


class HttpxPool:
    def __init__(
        self,
        base_url: str,
        *,
        transport: httpx.AsyncBaseTransport,
        headers: Mapping[str, str],
        timeout_seconds: float,
    ) -> None:
        self._http = httpx.AsyncClient(
            base_url=base_url,
            headers=dict(headers),
            timeout=httpx.Timeout(timeout_seconds),
            transport=transport,
        )

    async def request(
        self,
        method: str,
        target: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
    ) -> HttpResponse:
        try:
            response = await self._http.request(
                method, target, headers=dict(headers or {}), content=body
            )
        except httpx.TimeoutException as error:
            raise TimeoutError(str(error)) from error
        except httpx.ConnectError as error:
            raise ConnectFailed(repr(error)) from error
        except httpx.RemoteProtocolError as error:
            raise ConnectionClosed(repr(error), reply_started=True) from error
        except httpx.TransportError as error:
            raise ProtocolError(repr(error)) from error
        return HttpResponse(
            status=response.status_code, headers=dict(response.headers), body=response.content
        )

    async def aclose(self) -> None:
        await self._http.aclose()
