"""A scripted stand-in for an OpenAI-compatible chat-completions server on 127.0.0.1 (tests only).

Each POST to /v1/chat/completions is answered by the script: a callable that receives the request
body and returns a Reply (text, tool calls, an HTTP error, a delay, or a raw body). Every request is
recorded so that tests can assert what CrewAI's LLM client really sent.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted answer: a message (content and/or tool calls), an HTTP error, a delay, a raw body."""

    content: str | None = None
    tool_calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    status: int = 200
    delay_s: float = 0.0
    raw_body: bytes | None = None


Script = Callable[[dict[str, Any]], Reply]


def _completion(body: dict[str, Any], reply: Reply, serial: int) -> dict[str, Any]:
    """The chat-completions JSON for a reply."""
    message: dict[str, Any] = {"role": "assistant", "content": reply.content}
    finish = "stop"
    if reply.tool_calls:
        message["tool_calls"] = [
            {
                "id": f"call_{serial}_{k}",
                "type": "function",
                "function": {"name": name, "arguments": json.dumps(args)},
            }
            for k, (name, args) in enumerate(reply.tool_calls)
        ]
        finish = "tool_calls"
    return {
        "id": f"chatcmpl-standin-{serial}",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": body.get("model", "standin"),
        "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
        "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
    }


class StandIn:
    """The server: start(), a script per test, the recorded requests, stop()."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.arrivals: list[float] = []
        self.script: Script = lambda body: Reply(content="")
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def start(self) -> StandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset(self, script: Script) -> None:
        """A new script and an empty request log."""
        with self._lock:
            self.script = script
            self.requests = []
            self.arrivals = []

    def _answer(self, body: dict[str, Any]) -> tuple[Reply, int]:
        with self._lock:
            self.requests.append(body)
            self.arrivals.append(time.monotonic())
            serial = len(self.requests)
            script = self.script
        return script(body), serial

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return

            def _send(self, status: int, payload: bytes, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                try:
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    self._send(404, b'{"error": {"message": "not found"}}')
                    return
                reply, serial = standin._answer(body)
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                if reply.status != 200:
                    error = {"error": {"message": f"scripted {reply.status}", "type": "server_error"}}
                    # retry-after-ms keeps the client's back-off short in tests
                    self._send(reply.status, json.dumps(error).encode(), {"retry-after-ms": "10"})
                    return
                if reply.raw_body is not None:
                    self._send(200, reply.raw_body)
                    return
                self._send(200, json.dumps(_completion(body, reply, serial)).encode())

        return Handler


def last_user_text(body: dict[str, Any]) -> str:
    """All message contents of a request joined (to let a script react to what was asked)."""
    parts = []
    for message in body.get("messages", []):
        content = message.get("content")
        if isinstance(content, str):
            parts.append(content)
        elif isinstance(content, list):
            parts.extend(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return "\n".join(parts)


def tool_results(body: dict[str, Any]) -> list[str]:
    """The tool results the client sent back in this request."""
    return [str(m.get("content", "")) for m in body.get("messages", []) if m.get("role") == "tool"]
