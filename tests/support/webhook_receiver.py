"""A webhook receiver on 127.0.0.1 for the tests: records every POST's raw body and headers, and
can hold the first request of each webhook-id until told to let it go, or refuse it (HTTP 503)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self


@dataclass(frozen=True)
class Delivery:
    headers: dict[str, str]
    body: bytes


class WebhookReceiver:
    def __init__(self, hold_first: bool = False, refuse_first: bool = False) -> None:
        self.deliveries: list[Delivery] = []
        self.release = threading.Event()
        self._hold_first = hold_first
        self._refuse_first = refuse_first
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/hooks/memfeed"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()

    def wait_for(self, count: int, timeout: float = 30.0) -> list[Delivery]:
        deadline = time.monotonic() + timeout
        while len(self.deliveries) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.deliveries) >= count, f"{len(self.deliveries)} of {count} deliveries arrived"
        return list(self.deliveries)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = {name.lower(): value for name, value in self.headers.items()}
                with receiver._lock:
                    first_of_its_id = all(d.headers.get("webhook-id") != headers.get("webhook-id")
                                          for d in receiver.deliveries)
                    receiver.deliveries.append(Delivery(headers, body))
                if receiver._hold_first and first_of_its_id:
                    receiver.release.wait(60)
                try:
                    self.send_response(503 if receiver._refuse_first and first_of_its_id else 204)
                    self.end_headers()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the sender died while this request was held

        return Handler
