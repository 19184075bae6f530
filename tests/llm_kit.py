"""A scripted OpenAI-style LLM endpoint for tests: real HTTP on loopback, answers decided by the test.

It sits behind the same HTTP interface as vLLM and the llama-server stand-in (both also tested),
so the one client's failure paths (down, 503, broken replies) run the real code.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ScriptedServer:
    """An OpenAI-style endpoint whose answer to each request is decided by a test function."""

    def __init__(self, answer: Callable[[dict, int], tuple[int, object]], delay_s: float = 0.0):
        self.answer = answer
        self.delay_s = delay_s
        self.requests: list[dict] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with server._lock:
                    server.requests.append(payload)
                    n = len(server.requests)
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                try:
                    time.sleep(server.delay_s)
                    status, body = server.answer(payload, n)
                finally:
                    with server._lock:
                        server.in_flight -= 1
                data = (body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def tasks(self) -> list[str]:
        return [r["response_format"]["json_schema"]["name"] for r in self.requests]

    def __enter__(self) -> "ScriptedServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def completion(content: object, usage: tuple[int, int] | None = (100, 20), *, cached: int | None = None,
               cache_n: int | None = None) -> dict:
    """A chat completion; ``cached`` as vLLM reports prompt-cache hits, ``cache_n`` as llama-server does."""
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
    body = {"id": "x", "object": "chat.completion", "model": "scripted",
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}]}
    if usage is not None:
        body["usage"] = {"prompt_tokens": usage[0], "completion_tokens": usage[1], "total_tokens": sum(usage)}
        if cached is not None:
            body["usage"]["prompt_tokens_details"] = {"cached_tokens": cached}
    if cache_n is not None:
        body["timings"] = {"cache_n": cache_n, "prompt_n": (usage[0] if usage else 0) - cache_n}
    return body


def task_name(payload: dict) -> str:
    return payload["response_format"]["json_schema"]["name"]


def turn_choices(payload: dict, *, demands: bool = False) -> list[int]:
    """The turn numbers the request's schema lets the model cite (0 = none)."""
    props = payload["response_format"]["json_schema"]["schema"]["properties"]
    if demands:
        props = props["demands"]["items"]["properties"]
    turn = props["turn"]
    # A part with no turn the task may cite offers only 0, which pydantic writes as a const.
    return turn["enum"] if "enum" in turn else [turn["const"]]
