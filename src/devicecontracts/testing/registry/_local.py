"""`LocalRegistry`: the local registry's public face, with its lifecycle and fault injection.

It runs a `RegistryState` behind the HTTP front of ``_http`` on 127.0.0.1 in a background
thread, serialises every access to the state with one lock, and lets a test arrange state
in-process, inject failures and delays, and inspect what was asked.
"""

from __future__ import annotations

import base64
import hmac
import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from devicecontracts.errors import RegistryAPIError
from devicecontracts.testing.registry._http import Handler, RecordedRequest, Server, dispatch
from devicecontracts.testing.registry._state import LEVELS, RegisteredSchemaInfo, RegistryState

__all__ = ["LocalRegistry"]


@dataclass
class _Fault:
    status: int
    error_code: int | None
    message: str | None
    times: int | None
    method: str | None
    path: str | None
    delay: float = 0.0

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and (
            self.path is None or path.startswith(self.path)
        )


class LocalRegistry:
    """A Confluent-API-faithful schema registry on 127.0.0.1, for tests and local development.

    >>> with LocalRegistry() as registry:          # doctest: +SKIP
    ...     client = SchemaRegistryClient({"url": registry.url})

    Options: ``basic_auth=(user, password)`` or ``bearer_token=`` make every request need those
    credentials (401 otherwise); ``incompatible_error_code`` is 40901 (Confluent 8.0.4 and
    later) or 409 (older servers); ``default_level`` is the global compatibility level.

    Arrange state in-process with `register` (with metadata and a rule set, or without),
    `set_level`, `set_config`, `set_mode` and `soft_delete`; make it misbehave with `fail_next`
    (any status and error code, e.g. 500, 403, 42201), `slow_down` (answers after a delay:
    timeouts) and `force_incompatible`; inspect it with `requests`, `subjects`, `versions`,
    `schema`, `level`, `config` and `snapshot`.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        basic_auth: tuple[str, str] | None = None,
        bearer_token: str | None = None,
        incompatible_error_code: int = 40901,
        default_level: str = "BACKWARD",
    ) -> None:
        if incompatible_error_code not in (409, 40901):
            raise ValueError("incompatible_error_code must be 409 or 40901")
        if default_level.upper() not in LEVELS:
            raise ValueError(f"unknown compatibility level {default_level!r}")
        self._host, self._port = host, port
        self._basic = (
            "Basic " + base64.b64encode(f"{basic_auth[0]}:{basic_auth[1]}".encode()).decode()
            if basic_auth
            else None
        )
        self._bearer = f"Bearer {bearer_token}" if bearer_token else None
        self._state = RegistryState(default_level.upper(), incompatible_error_code)
        self._lock = threading.RLock()
        self._faults: list[_Fault] = []
        self._requests: list[RecordedRequest] = []
        self._stopping = threading.Event()
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> LocalRegistry:
        """Start serving in a background thread; returns self. The port is ephemeral by default."""
        if self._server is not None:
            return self
        self._stopping.clear()
        server = Server((self._host, self._port), Handler)
        server.front = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"local-registry-{server.server_address[1]}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the port (answers still being delayed are dropped)."""
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> LocalRegistry:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The port it listens on (started registries only)."""
        if self._server is None:
            raise RuntimeError("the local registry is not running: call start()")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``: what to give a client."""
        return f"http://{self._host}:{self.port}"

    def serve_until(self, stop: Callable[[], bool], interval: float = 0.2) -> None:
        """Block until ``stop()`` returns true (for ``contracts registry serve``)."""
        while not stop():
            self._stopping.wait(interval)

    # -- arranging state -----------------------------------------------------------------------

    def register(
        self,
        subject: str,
        schema: str | dict[str, Any] | list[Any],
        references: Sequence[dict[str, Any]] = (),
        *,
        metadata: dict[str, Any] | None = None,
        rule_set: dict[str, Any] | None = None,
    ) -> RegisteredSchemaInfo:
        """Register as ``POST /subjects/{subject}/versions`` would (raises `RegistryAPIError`).

        ``metadata`` and ``rule_set`` are the request's ``metadata`` and ``ruleSet`` (None:
        left out, so the version inherits the previous one's)."""
        text = schema if isinstance(schema, str) else json.dumps(schema)
        body: dict[str, Any] = {"schema": text, "references": list(references)}
        if metadata is not None:
            body["metadata"] = metadata
        if rule_set is not None:
            body["ruleSet"] = rule_set
        with self._lock:
            info, _ = self._state.register(subject, body)
            return info

    def check(
        self,
        subject: str,
        schema: str | dict[str, Any] | list[Any],
        references: Sequence[dict[str, Any]] = (),
        *,
        version: int | str | None = None,
    ) -> dict[str, Any]:
        """``POST /compatibility/subjects/{subject}/versions[/{version}]?verbose=true``'s answer.

        Without ``version``: the check register runs (every live version at transitive levels).
        """
        text = schema if isinstance(schema, str) else json.dumps(schema)
        body = {"schema": text, "references": list(references)}
        with self._lock:
            answer: dict[str, Any] = self._state.check(
                subject, body, None if version is None else str(version), verbose=True
            )
            return answer

    def set_level(self, level: str, subject: str | None = None) -> None:
        """Set the global level, or a subject's own level."""
        with self._lock:
            self._state.set_level(subject, {"compatibility": level})

    def set_config(self, subject: str | None = None, **fields: Any) -> None:
        """``PUT /config[/{subject}]`` with the registry's field names (``compatibility``,
        ``compatibilityGroup``, ``defaultMetadata``, ``overrideRuleSet``, ``validateFields``...;
        None clears one)."""
        with self._lock:
            self._state.set_level(subject, fields)

    def config(self, subject: str | None = None) -> dict[str, Any] | None:
        """``GET /config[/{subject}]``'s answer: the subject's own config (None without one),
        or the global config."""
        with self._lock:
            try:
                return self._state.get_level(subject, default_to_global=False)
            except RegistryAPIError:
                return None

    def set_mode(self, mode: str, subject: str | None = None) -> None:
        """Set the global mode or a subject's (``READONLY`` refuses registrations with 42205)."""
        with self._lock:
            self._state.set_mode(subject, {"mode": mode})

    def soft_delete(self, subject: str, version: int | None = None) -> None:
        """Soft-delete one version, or the whole subject."""
        with self._lock:
            if version is None:
                self._state.delete_subject(subject, permanent=False)
            else:
                self._state.delete_version(subject, str(version), permanent=False)

    # -- faults --------------------------------------------------------------------------------

    def fail_next(
        self,
        status: int = 500,
        error_code: int | None = None,
        message: str | None = None,
        *,
        times: int | None = 1,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        """Answer the next ``times`` matching requests (all, for None) with an error.

        ``method`` and ``path`` (a prefix of the decoded path, such as ``/subjects/``) narrow
        which requests fail; ``error_code`` defaults to the status (Confluent answers 50001 for
        a store error, say).
        """
        with self._lock:
            self._faults.append(_Fault(status, error_code, message, times, method, path))

    def slow_down(
        self,
        seconds: float,
        *,
        times: int | None = 1,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        """Delay the next ``times`` matching answers by ``seconds`` (for timeout tests)."""
        with self._lock:
            self._faults.append(_Fault(0, None, None, times, method, path, delay=seconds))

    def force_incompatible(self, subject: str, *messages: str) -> None:
        """Make every check of ``subject`` against existing versions answer incompatible.

        Registering then fails with 409, and verbose checks return ``messages``: a stand-in for
        a registry whose verdict differs from yours.
        """
        with self._lock:
            self._state.forced[subject] = list(messages) or [
                "{errorType:'FORCED', description:'forced incompatible by the test', "
                "additionalInfo:''}"
            ]

    def clear_faults(self) -> None:
        """Forget every pending fault, delay and forced verdict."""
        with self._lock:
            self._faults.clear()
            self._state.forced.clear()

    # -- inspecting ----------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, oldest first."""
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        """Forget the recorded requests."""
        with self._lock:
            self._requests.clear()

    def subjects(self, *, deleted: bool = False) -> list[str]:
        """Subjects with live versions (or any versions, with ``deleted=True``)."""
        with self._lock:
            return self._state.list_subjects(deleted=deleted)

    def versions(self, subject: str, *, deleted: bool = False) -> list[int]:
        """Version numbers of ``subject`` (empty when it does not exist)."""
        with self._lock:
            try:
                return self._state.list_versions(subject, deleted=deleted)
            except RegistryAPIError:
                return []

    def schema(self, subject: str, version: int | str = "latest") -> dict[str, Any]:
        """``GET /subjects/{subject}/versions/{version}``'s answer."""
        with self._lock:
            return self._state.get_version(subject, str(version), deleted=True)

    def level(self, subject: str | None = None) -> str | None:
        """The subject's own level (None when unset), or the global level."""
        with self._lock:
            if subject is None:
                return self._state.global_level
            return self._state.levels.get(subject)

    def snapshot(self) -> dict[str, Any]:
        """All observable state as plain data: equal snapshots mean nothing changed."""
        with self._lock:
            return self._state.snapshot()

    # -- serving (called by the handler threads) ------------------------------------------------

    def answer(
        self, request: RecordedRequest, raw_path: str, authorization: str | None
    ) -> tuple[int, Any] | None:
        """Record ``request``, apply any injected delay or fault, check the credentials, then
        answer it from the state (see `devicecontracts.testing.registry._http.Front`)."""
        with self._lock:
            self._requests.append(request)
        try:
            delay = self._take_delay(request.method, request.path)
            if delay and self._stopping.wait(delay):
                return None
            if not self._authorised(authorization):
                raise RegistryAPIError(401, 401, "Unauthorized")
            fault = self._take_fault(request.method, request.path)
            if fault is not None:
                raise fault
            with self._lock:
                return 200, dispatch(
                    self._state, request.method, raw_path, request.query, request.body
                )
        except RegistryAPIError as exc:
            return exc.status, exc.body()

    def _authorised(self, header: str | None) -> bool:
        expected = [h for h in (self._basic, self._bearer) if h]
        if not expected:
            return True
        given = header or ""
        return any(hmac.compare_digest(given.encode(), h.encode()) for h in expected)

    def _take(self, method: str, path: str, *, delay: bool) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if (fault.delay > 0) == delay and fault.matches(method, path):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self._faults.remove(fault)
                    return fault
        return None

    def _take_delay(self, method: str, path: str) -> float:
        fault = self._take(method, path, delay=True)
        return fault.delay if fault else 0.0

    def _take_fault(self, method: str, path: str) -> RegistryAPIError | None:
        fault = self._take(method, path, delay=False)
        if fault is None:
            return None
        return RegistryAPIError(
            fault.status,
            fault.error_code if fault.error_code is not None else fault.status,
            fault.message or f"Injected failure ({fault.status})",
        )
