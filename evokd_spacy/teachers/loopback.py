"""A loopback OpenAI-compatible server for tests and benchmarks: scripted answers and injected faults.

It listens on 127.0.0.1 only. Each request takes the next fault from `faults` (if any) and
otherwise answers after `latency` seconds with the ScriptedTeacher's answer to the prompt.
Faults: "429" (with Retry-After), "500", "hang" (sleeps past any sane timeout), "malformed"
(invalid JSON), "empty" (no choices), "drop" (closes the connection without an answer).
"""
import json
import random
import threading
import time
from collections import Counter, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Deque, Dict, Iterable, List, Optional

from ..llm_io import SampledPrompt
from .scripted import ScriptedTeacher

FAULTS = ("429", "500", "hang", "malformed", "empty", "drop")


class LoopbackServer:
    """Start with `with LoopbackServer(...) as server:`; `server.base_url` is the OpenAI base URL."""

    def __init__(
        self,
        lexicon: Dict[str, List[str]],
        latency: float = 0.0,
        faults: Iterable[str] = (),
        retry_after: float = 0.05,
        hang_seconds: float = 5.0,
        fault_rate: float = 0.0,
        seed: int = 0,
    ) -> None:
        self.teacher = ScriptedTeacher(lexicon)
        self.latency = latency
        self.faults: Deque[str] = deque(faults)
        self.fault_rate = fault_rate
        self._rng = random.Random(seed)
        self.injected: Counter = Counter()
        self.answered: Counter = Counter()  # successful answers per (prompt, seed)
        self.retry_after = retry_after
        self.hang_seconds = hang_seconds
        self.requests: List[Dict[str, Any]] = []
        self._lock = threading.Lock()
        self._server: Optional[ThreadingHTTPServer] = None

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def next_fault(self) -> Optional[str]:
        """The next scripted fault, else a random one at `fault_rate`, else None."""
        with self._lock:
            if self.faults:
                fault: Optional[str] = self.faults.popleft()
            elif self.fault_rate and self._rng.random() < self.fault_rate:
                fault = self._rng.choice(FAULTS)
            else:
                fault = None
            if fault:
                self.injected[fault] += 1
            return fault

    def __enter__(self) -> "LoopbackServer":
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
                with owner._lock:
                    owner.requests.append({"body": body, "authorization": self.headers.get("authorization")})
                owner.handle(self, body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    def handle(self, handler: BaseHTTPRequestHandler, body: Dict[str, Any]) -> None:
        fault = self.next_fault()
        if fault == "hang":
            time.sleep(self.hang_seconds)
            return
        if fault == "drop":
            handler.close_connection = True
            handler.connection.close()
            return
        time.sleep(self.latency)
        if fault == "429":
            self._send(handler, 429, b'{"error": "slow down"}', {"Retry-After": str(self.retry_after)})
        elif fault == "500":
            self._send(handler, 500, b'{"error": "boom"}')
        elif fault == "malformed":
            self._send(handler, 200, b'{"choices": [')
        elif fault == "empty":
            self._send(handler, 200, b'{"choices": []}')
        else:
            prompt = body["messages"][-1]["content"]
            text = str(self.teacher.respond(SampledPrompt(prompt, int(body.get("seed", 0)))))
            with self._lock:
                self.answered[(prompt, int(body.get("seed", 0)))] += 1
            reply = {
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}}],
                "usage": {"prompt_tokens": len(prompt.split()), "completion_tokens": len(text.split())},
            }
            self._send(handler, 200, json.dumps(reply).encode("utf8"))

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, payload: bytes, headers: Optional[Dict[str, str]] = None) -> None:
        handler.send_response(status)
        handler.send_header("content-type", "application/json")
        handler.send_header("content-length", str(len(payload)))
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(payload)
