"""Who may talk to the workbench: whoever holds the token printed at start.

As in Jupyter, ``qualpipe serve`` prints ``http://127.0.0.1:PORT/?token=…``.
Opening that URL once sets a session cookie (HttpOnly, SameSite=Strict) and
redirects to the same page without the token, so the token does not stay in
the address bar or the history. Every later request must carry the cookie
(or the token); anything else gets 401.

Two more checks close the holes a token alone leaves on a local server:

* the ``Host`` header must name this server (127.0.0.1, localhost or the
  host it was started on, with its port), so a web page elsewhere cannot
  reach it through DNS rebinding;
* a request that changes something (POST) must come from this server's own
  pages: its ``Origin`` header, when the browser sends one, must be this
  server, and its body must be JSON (which a cross-site form cannot send).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterable
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, urlencode

TOKEN_PARAMETER = "token"


def new_token() -> str:
    return secrets.token_urlsafe(24)


def cookie_name(port: int) -> str:
    """Cookies are per host, not per port: two workbenches on one machine must not share one."""
    return f"qualpipe-{port}"


class TokenGate:
    """ASGI middleware: 401 without the token, the token once turns into a session cookie."""

    def __init__(self, app, token: str, port: int, hosts: Iterable[str] = ("127.0.0.1", "localhost")):
        self.app = app
        self.token = token
        self.port = port
        self.cookie = cookie_name(port)
        self.hosts = {f"{host}:{port}" for host in hosts} | {f"[{host}]:{port}" for host in hosts if ":" in host}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {key.decode("latin-1").lower(): value.decode("latin-1") for key, value in scope["headers"]}
        host = headers.get("host", "")
        if host not in self.hosts:
            await _plain(send, 400, "Ukjent vertsnavn i forespørselen (Host). Bruk adressen qualpipe serve skrev ut.")
            return
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        given = next((value for key, value in query if key == TOKEN_PARAMETER), None)
        if given is not None and self._valid(given) and scope["method"] == "GET":
            rest = urlencode([(k, v) for k, v in query if k != TOKEN_PARAMETER])
            path = scope.get("raw_path") or scope.get("path", "/").encode("utf-8")
            await _redirect(send, path + (f"?{rest}".encode("latin-1") if rest else b""), self._cookie_header())
            return
        if not (self._valid(self._cookie_value(headers)) or (given is not None and self._valid(given))):
            await _plain(send, 401, "Ingen tilgang: åpne adressen med token som «qualpipe serve» skrev ut "
                                    "i terminalen (http://127.0.0.1:PORT/?token=…).")
            return
        if scope["method"] not in ("GET", "HEAD"):
            origin = headers.get("origin")
            if origin is not None and origin.split("://", 1)[-1] not in self.hosts:
                await _plain(send, 403, "Forespørselen kom ikke fra arbeidsbenkens egne sider.")
                return
            if not headers.get("content-type", "").startswith("application/json"):
                await _plain(send, 415, "Endringer sendes som JSON fra arbeidsbenkens sider.")
                return
        await self.app(scope, receive, send)

    def _valid(self, value: str | None) -> bool:
        return bool(value) and hmac.compare_digest(value.encode("utf-8"), self.token.encode("utf-8"))

    def _cookie_value(self, headers: dict[str, str]) -> str | None:
        raw = headers.get("cookie")
        if not raw:
            return None
        jar = SimpleCookie()
        try:
            jar.load(raw)
        except Exception:  # a malformed cookie header is simply no session
            return None
        morsel = jar.get(self.cookie)
        return morsel.value if morsel else None

    def _cookie_header(self) -> str:
        return f"{self.cookie}={self.token}; Path=/; HttpOnly; SameSite=Strict"


async def _plain(send, status: int, text: str) -> None:
    body = f"<!doctype html><meta charset=utf-8><title>{status}</title><p>{text}</p>".encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/html; charset=utf-8"), (b"cache-control", b"no-store"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def _redirect(send, location: bytes, cookie: str) -> None:
    await send({"type": "http.response.start", "status": 303,
                "headers": [(b"location", location), (b"set-cookie", cookie.encode("latin-1")),
                            (b"cache-control", b"no-store"), (b"content-length", b"0")]})
    await send({"type": "http.response.body", "body": b""})
