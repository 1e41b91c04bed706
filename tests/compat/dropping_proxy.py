"""A loopback HTTP proxy in front of memfeed that can lose answers: the request reaches memfeed and
is applied, then the connection is closed without an answer, as a network failure would. The MemOS
client retries such a call; the proxy counts what it forwarded, so a test sees the retries."""

from __future__ import annotations

import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self

import httpx

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host", "content-encoding"}


class DroppingProxy:
    def __init__(self, upstream: str) -> None:
        self._upstream = upstream.rstrip("/")
        self._lock = threading.Lock()
        self._drops: Counter[str] = Counter()
        self.forwarded: Counter[str] = Counter()
        self._http = httpx.Client(timeout=60)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def drop_answers(self, path_suffix: str, count: int = 1) -> None:
        """Lose the answers to the next `count` requests whose path ends with `path_suffix`."""
        with self._lock:
            self._drops[path_suffix] += count

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._http.close()

    def _take_drop(self, path: str) -> bool:
        with self._lock:
            for suffix, left in self._drops.items():
                if left > 0 and path.split("?")[0].endswith(suffix):
                    self._drops[suffix] -= 1
                    return True
        return False

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_: object) -> None:
                pass

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
                upstream = proxy._http.request(self.command, proxy._upstream + self.path, headers=headers, content=body)
                path = self.path.split("?")[0]
                with proxy._lock:
                    proxy.forwarded[path] += 1
                if proxy._take_drop(path):
                    # Applied upstream; the answer is lost on the way back.
                    self.close_connection = True
                    return
                self.send_response(upstream.status_code)
                for key, value in upstream.headers.items():
                    if key.lower() not in _HOP_BY_HOP:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(upstream.content)))
                self.end_headers()
                self.wfile.write(upstream.content)

            do_GET = do_POST = _forward  # noqa: N815

        return Handler
