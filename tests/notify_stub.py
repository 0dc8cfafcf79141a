"""A local stand-in for the GOV.UK Notify API, for the real `notifications-python-client`.

It checks the client's JWT (HS256 with the API key's secret, ``iss`` = the service id), records
every notification it receives, answers 201 with an id like Notify does, and answers 400 for an
email address or phone number containing "fail" (Notify's error shape).
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt


@dataclass
class NotifyStub:
    service_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    secret: str = field(default_factory=lambda: str(uuid.uuid4()))
    received: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    port: int = 0

    @property
    def api_key(self) -> str:
        return f"attend_test-{self.service_id}-{self.secret}"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _handler(stub: NotifyStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep the test output quiet
            pass

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            try:
                claims = jwt.decode(token, stub.secret, algorithms=["HS256"])
            except jwt.PyJWTError:
                self._answer(403, {"status_code": 403, "errors": [{"error": "AuthError"}]})
                return
            if claims.get("iss") != stub.service_id:
                self._answer(403, {"status_code": 403, "errors": [{"error": "AuthError"}]})
                return
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            kind = self.path.rsplit("/", 1)[-1]
            to = body.get("email_address") or body.get("phone_number") or ""
            if "fail" in to:
                self._answer(
                    400,
                    {
                        "status_code": 400,
                        "errors": [{"error": "ValidationError", "message": "Not a valid address"}],
                    },
                )
                return
            stub.received.append((kind, body))
            self._answer(201, {"id": str(uuid.uuid4()), "reference": body.get("reference")})

    return Handler


def start(stub: NotifyStub) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stub))
    stub.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
