"""The local registry's HTTP front: Confluent's REST routes onto `RegistryState` calls.

`Handler` parses a request (path, query, JSON body) and writes the answer; everything else, from
recording the request and injected faults to authorisation, is asked of its server's `Front`
(`LocalRegistry`), which calls `dispatch` under its lock. Logs name the method and path only,
never headers: they carry credentials.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from devicecontracts.errors import RegistryAPIError
from devicecontracts.testing.registry._state import RegistryState

__all__ = ["Front", "Handler", "RecordedRequest", "Server", "dispatch"]

_log = logging.getLogger("devicecontracts.testing.registry")

_Route = tuple[str, re.Pattern[str], str]
_SEGMENT = r"([^/]+)"
_ROUTES: list[_Route] = [
    (method, re.compile(pattern + r"/?\Z"), name)
    for method, pattern, name in [
        ("GET", r"", "root"),
        ("GET", r"/subjects", "subjects"),
        ("GET", r"/schemas/types", "types"),
        ("GET", rf"/schemas/ids/{_SEGMENT}", "schema_by_id"),
        ("GET", rf"/schemas/ids/{_SEGMENT}/schema", "raw_schema_by_id"),
        ("GET", rf"/schemas/ids/{_SEGMENT}/versions", "versions_of_id"),
        ("GET", rf"/subjects/{_SEGMENT}/versions", "versions"),
        ("GET", rf"/subjects/{_SEGMENT}/metadata", "latest_with_metadata"),
        ("POST", rf"/subjects/{_SEGMENT}/versions", "register"),
        ("GET", rf"/subjects/{_SEGMENT}/versions/{_SEGMENT}", "version"),
        ("GET", rf"/subjects/{_SEGMENT}/versions/{_SEGMENT}/schema", "raw_version"),
        ("GET", rf"/subjects/{_SEGMENT}/versions/{_SEGMENT}/referencedby", "referenced_by"),
        ("DELETE", rf"/subjects/{_SEGMENT}/versions/{_SEGMENT}", "delete_version"),
        ("POST", rf"/subjects/{_SEGMENT}", "lookup"),
        ("DELETE", rf"/subjects/{_SEGMENT}", "delete_subject"),
        ("POST", rf"/compatibility/subjects/{_SEGMENT}/versions", "check_all"),
        ("POST", rf"/compatibility/subjects/{_SEGMENT}/versions/{_SEGMENT}", "check_one"),
        ("GET", r"/config", "get_global_config"),
        ("PUT", r"/config", "put_global_config"),
        ("GET", rf"/config/{_SEGMENT}", "get_config"),
        ("PUT", rf"/config/{_SEGMENT}", "put_config"),
        ("DELETE", rf"/config/{_SEGMENT}", "delete_config"),
        ("GET", r"/mode", "get_global_mode"),
        ("PUT", r"/mode", "put_global_mode"),
        ("GET", rf"/mode/{_SEGMENT}", "get_mode"),
        ("PUT", rf"/mode/{_SEGMENT}", "put_mode"),
    ]
]


def _flag(query: dict[str, str], name: str) -> bool:
    # JAX-RS reads booleans with Boolean.valueOf: "true" in any case is true, anything else false.
    return query.get(name, "").lower() == "true"


@dataclass(frozen=True)
class RecordedRequest:
    """One request the local registry received (method, path, query and parsed JSON body)."""

    method: str
    path: str
    query: dict[str, str]
    body: Any = None


class Front(Protocol):
    """What the handler asks of the registry it serves (`LocalRegistry`)."""

    def answer(
        self, request: RecordedRequest, raw_path: str, authorization: str | None
    ) -> tuple[int, Any] | None:
        """Record and answer ``request``: ``(status, JSON value or raw bytes)``, or None to send
        nothing (the registry is stopping)."""


def dispatch(
    state: RegistryState, method: str, raw_path: str, query: dict[str, str], body: Any
) -> Any:
    """Route one request to ``state`` and return the answer (JSON value or raw bytes).

    The caller holds the registry's lock. Unknown paths are 404 and known paths with another
    method 405, as Confluent's Jetty answers them.
    """
    allowed = False
    for route_method, pattern, name in _ROUTES:
        match = pattern.match(raw_path)
        if match is None:
            continue
        if route_method != method:
            allowed = True
            continue
        return _call(state, name, [unquote(g) for g in match.groups()], query, body)
    if allowed:
        raise RegistryAPIError(405, 405, "HTTP 405 Method Not Allowed")
    raise RegistryAPIError(404, 404, "HTTP 404 Not Found")


def _call(r: RegistryState, name: str, args: list[str], query: dict[str, str], body: Any) -> Any:
    deleted = _flag(query, "deleted")
    if name == "root":
        return {}
    if name == "subjects":
        return r.list_subjects(deleted=deleted)
    if name == "types":
        return ["AVRO"]
    if name in ("schema_by_id", "raw_schema_by_id", "versions_of_id"):
        try:
            schema_id = int(args[0])
        except ValueError:
            raise RegistryAPIError(404, 40403, f"Schema {args[0]} not found") from None
        if name == "versions_of_id":
            return r.versions_of_id(schema_id)
        answer = r.schema_by_id(schema_id)
        return answer["schema"].encode() if name == "raw_schema_by_id" else answer
    if name == "versions":
        return r.list_versions(args[0], deleted=deleted)
    if name == "register":
        info, _ = r.register(args[0], body)
        return {"id": info.id}
    if name == "version":
        return r.get_version(args[0], args[1], deleted=deleted)
    if name == "latest_with_metadata":
        return _latest_with_metadata(r, args[0], query, deleted=deleted)
    if name == "raw_version":
        return r.get_version(args[0], args[1], deleted=deleted)["schema"].encode()
    if name == "referenced_by":
        return r.referenced_by(args[0], args[1])
    if name == "delete_version":
        return r.delete_version(args[0], args[1], permanent=_flag(query, "permanent"))
    if name == "lookup":
        return r.lookup(args[0], body, deleted=deleted)
    if name == "delete_subject":
        return r.delete_subject(args[0], permanent=_flag(query, "permanent"))
    if name in ("check_all", "check_one"):
        version = args[1] if name == "check_one" else None
        return r.check(args[0], body, version, verbose=_flag(query, "verbose"))
    if name == "get_global_config":
        return r.get_level(None, default_to_global=True)
    if name == "put_global_config":
        return r.set_level(None, body)
    if name == "get_config":
        return r.get_level(args[0], default_to_global=_flag(query, "defaultToGlobal"))
    if name == "put_config":
        return r.set_level(args[0], body)
    if name == "delete_config":
        return r.delete_level(args[0])
    if name == "get_global_mode":
        return r.get_mode(None)
    if name == "put_global_mode":
        return r.set_mode(None, body)
    if name == "get_mode":
        return r.get_mode(args[0])
    if name == "put_mode":
        return r.set_mode(args[0], body)
    raise RegistryAPIError(404, 404, "HTTP 404 Not Found")  # pragma: no cover


def _latest_with_metadata(
    r: RegistryState, subject: str, query: dict[str, str], *, deleted: bool
) -> Any:
    """``GET /subjects/{s}/metadata?key=k&value=v``: the latest version whose metadata has
    property ``k`` set to ``v`` (what confluent-kafka's ``use.latest.with.metadata`` asks, e.g.
    the latest version of a major). One pair: of repeated ``key``/``value`` parameters, the
    last pair decides."""
    wanted = {query["key"]: query["value"]} if "key" in query and "value" in query else {}
    for version in reversed(r.list_versions(subject, deleted=deleted)):
        answer = r.get_version(subject, str(version), deleted=deleted)
        properties = (answer.get("metadata") or {}).get("properties") or {}
        if all(properties.get(k) == v for k, v in wanted.items()):
            return answer
    raise RegistryAPIError(404, 40403, "Schema not found")


class Handler(BaseHTTPRequestHandler):
    """Parses one request, asks the server's `Front` for the answer and writes it."""

    server: Server
    protocol_version = "HTTP/1.0"

    def do_GET(self) -> None:
        """Answer a GET."""
        self._serve("GET")

    def do_POST(self) -> None:
        """Answer a POST."""
        self._serve("POST")

    def do_PUT(self) -> None:
        """Answer a PUT."""
        self._serve("PUT")

    def do_DELETE(self) -> None:
        """Answer a DELETE."""
        self._serve("DELETE")

    def log_message(self, format: str, *args: Any) -> None:
        """Log the method and path only, never headers (they carry credentials)."""
        _log.debug("local registry: %s", self.requestline.split(" HTTP/")[0])

    def _serve(self, method: str) -> None:
        split = urlsplit(self.path)
        raw_path = split.path.rstrip("/") or ""
        query = {k: v[-1] for k, v in parse_qs(split.query).items()}
        try:
            body = self._body()
        except RegistryAPIError as exc:
            self._reply(exc.status, exc.body())
            return
        request = RecordedRequest(method, unquote(raw_path) or "/", query, body)
        reply = self.server.front.answer(request, raw_path, self.headers.get("Authorization"))
        if reply is not None:
            self._reply(*reply)

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        if not length:
            return None
        raw = self.rfile.read(length)
        try:
            return json.loads(raw)
        except ValueError:  # not JSON, not UTF-8, or a number longer than Python converts
            raise RegistryAPIError(400, 400, "Unexpected character in the request body") from None

    def _reply(self, status: int, answer: Any) -> None:
        raw = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/vnd.schemaregistry.v1+json")
            self.send_header("Content-Length", str(len(raw)))
            if status == 401:
                self.send_header("WWW-Authenticate", 'Basic realm="SchemaRegistry"')
            self.end_headers()
            self.wfile.write(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test): nothing to answer


class Server(ThreadingHTTPServer):
    """A threaded HTTP server whose handlers answer through ``front``."""

    daemon_threads = True
    block_on_close = False
    front: Front
