"""Starting and stopping the workbench: a socket, a token, uvicorn.

:class:`Server` binds the socket itself (so ``port=0`` gives a free port and
the URL printed is the real one) and runs uvicorn either in the foreground
(``qualpipe serve``) or in a thread (the browser tests).
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time

from ..errors import QualpipeError
from ..settings import Study
from .auth import TOKEN_PARAMETER, new_token

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Server:
    def __init__(self, study: Study, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, token: str | None = None):
        import uvicorn

        from .app import create_app

        self.study = study
        self.host = host
        self.token = token or new_token()
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.socket = socket.socket(family, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self.socket.bind((host, port))
        except OSError as error:
            self.socket.close()
            raise QualpipeError(f"cannot listen on {host}:{port} ({error.strerror}); choose another --port "
                                "(0 picks a free one)", None) from None
        self.socket.listen(64)  # a browser opened before uvicorn runs waits instead of being refused
        self.port = self.socket.getsockname()[1]
        hosts = {"127.0.0.1", "localhost", host} if is_loopback(host) else {host}
        app = create_app(study, self.token, self.port, hosts=sorted(hosts))
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def url(self) -> str:
        """The address to open: with the token, as Jupyter prints it."""
        return f"{self.base_url}/?{TOKEN_PARAMETER}={self.token}"

    def run(self) -> None:
        """Serve until Ctrl-C."""
        self._server.run(sockets=[self.socket])

    def start(self) -> "Server":
        """Serve from a background thread; returns when the server accepts requests."""
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self.socket]},
                                        name="qualpipe-serve", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the workbench did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.socket.close()
