"""The OpenAPI document, made to tell the truth about the API.

FastAPI's own document has untyped answers, a 422 that never happens (validation errors are
answered 400 with a MemOS code, api/errors.py) and no security scheme. `install_openapi` replaces
it with one built from the routes as they are when /openapi.json is first asked for, so a route
added later gets, with no change here:

- the security scheme, when it reads the `Authorization` header (api/deps.py `current_project`),
  in place of that header's parameter;
- the errors every MemOS route can give (400 40000, and with a body 40002 and 413 40000 for an
  oversized one, 40011 when the body has a conversation_id, 401 40100 when secured, 500
  50000/50145);
- the plain envelope as its 200 answer, and its docstring as its description.

What only some routes do (their data's shape, 404, token windows, knowledge-base checks, waiting
for a worker) is listed per route in `OPERATIONS` (api/operation_docs.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from api.errors import http_status
from api.operation_docs import ERROR_MEANINGS, OPERATIONAL_ROUTES, OPERATIONS
from api.responses import Envelope, ErrorEnvelope, envelope_of
from core.error_codes import ErrorCode

SECURITY_SCHEMES: dict[str, dict[str, Any]] = {
    "MemOSToken": {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "The project's API key as MemOS sends it: enter `Token <key>` "
        "(`memfeed project create NAME` prints the key).",
    },
    "BearerKey": {
        "type": "http",
        "scheme": "bearer",
        "description": "The same key as `Authorization: Bearer <key>`: enter the key alone.",
    },
}
SECURITY = [{"MemOSToken": []}, {"BearerKey": []}]

API_DESCRIPTION = (
    "memfeed corrects an application's memories from its users' plain-language feedback. The routes "
    "under `/api/openmem/v1` are the MemOS cloud API's: every answer is the envelope "
    "`{code, message, data}`, `code` 0 on success, else a MemOS error code with the HTTP status of "
    "its class. Authenticate with `Authorization: Token <key>` (the Authorize button)."
)

_SERVER_ERRORS = (ErrorCode.WORKER_FAILED, ErrorCode.SAVE_FAILED)


def install_openapi(app: FastAPI, api_prefix: str) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_openapi(app, api_prefix)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def build_openapi(app: FastAPI, api_prefix: str) -> dict[str, Any]:
    schema = get_openapi(
        title=app.title, version=app.version, description=API_DESCRIPTION, routes=app.routes
    )
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    components["securitySchemes"] = SECURITY_SCHEMES
    models: set[tuple[type[BaseModel], JsonSchemaMode]] = {(Envelope, "serialization"), (ErrorEnvelope, "serialization")}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            if path.startswith(api_prefix):
                models |= _describe_memos_operation(operation, path.removeprefix(api_prefix), schemas)
            elif path in OPERATIONAL_ROUTES:
                description, extra = OPERATIONAL_ROUTES[path]
                operation["description"] = description
                responses.update(extra)
    _, definitions = models_json_schema(
        sorted(models, key=lambda pair: pair[0].__name__),
        ref_template="#/components/schemas/{model}",
    )
    schemas.update(definitions.get("$defs", {}))
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return schema


def _describe_memos_operation(
    operation: dict[str, Any], route_path: str, schemas: dict[str, Any]
) -> set[tuple[type[BaseModel], JsonSchemaMode]]:
    models: set[tuple[type[BaseModel], JsonSchemaMode]] = set()
    doc = OPERATIONS.get(route_path)
    if doc is not None:
        operation["description"] = doc.description
    if doc is not None and doc.list_item is not None and "requestBody" not in operation:
        # The route reads its JSON list itself, so FastAPI cannot see the body.
        models.add((doc.list_item, "validation"))
        items = {"type": "array", "items": {"$ref": f"#/components/schemas/{doc.list_item.__name__}"}, "minItems": 1}
        if doc.max_items:
            items["maxItems"] = doc.max_items
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": items}}}
    secured = _take_authorization_parameter(operation)
    if secured:
        operation["security"] = SECURITY
    has_body = "requestBody" in operation
    codes = [ErrorCode.BAD_REQUEST, *([ErrorCode.MISSING_FIELD] if has_body else []), *_SERVER_ERRORS]
    if _body_has_field(operation, schemas, "conversation_id"):
        codes.append(ErrorCode.CONVERSATION_ID_TOO_LONG)
    if secured:
        codes.append(ErrorCode.UNAUTHORIZED)
    codes.extend(doc.errors if doc else ())
    declared = operation.get("responses", {})
    envelope = envelope_of(doc.data) if doc and doc.data else Envelope
    success = declared.get("200", {})
    if doc is not None or _untyped(success):
        success = _success(envelope, doc.success if doc else "Success: code 0")
        models.add((envelope, "serialization"))
    # What a route declares itself (responses=..., openapi_extra) wins over these defaults.
    own = {status: response for status, response in declared.items() if status not in {"200", "422"}}
    operation["responses"] = {"200": success, **_errors(codes, body_size_limit=has_body), **own}
    return models


def _untyped(response: dict[str, Any]) -> bool:
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return "$ref" not in schema and not schema.get("properties")


def _success(envelope: type[BaseModel], description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{envelope.__name__}"}}},
    }


def _errors(codes: Iterable[ErrorCode], body_size_limit: bool) -> dict[str, Any]:
    by_status: dict[int, list[tuple[ErrorCode, str]]] = defaultdict(list)
    for code in dict.fromkeys(codes):
        by_status[http_status(code)].append((code, ERROR_MEANINGS[code]))
    if body_size_limit:
        by_status[413].insert(0, (ErrorCode.BAD_REQUEST, "the request body is over MEMFEED_MAX_REQUEST_BYTES"))
    responses: dict[str, Any] = {}
    for status in sorted(by_status):
        entries = by_status[status]
        responses[str(status)] = {
            "description": "; ".join(f"{int(code)}: {meaning}" for code, meaning in entries),
            "content": {
                "application/json": {
                    "schema": {"$ref": "#/components/schemas/ErrorEnvelope"},
                    "examples": {
                        str(int(code)): {
                            "summary": f"{int(code)}: {meaning}",
                            "value": {"code": int(code), "message": meaning, "data": None},
                        }
                        for code, meaning in entries
                    },
                }
            },
        }
    return responses


def _take_authorization_parameter(operation: dict[str, Any]) -> bool:
    """Whether the operation reads the Authorization header; the header leaves its parameters
    (the security scheme describes it, and Swagger's Authorize button fills it)."""
    parameters = operation.get("parameters", [])
    kept = [p for p in parameters if not (p.get("in") == "header" and p.get("name", "").lower() == "authorization")]
    if len(kept) == len(parameters):
        return False
    if kept:
        operation["parameters"] = kept
    else:
        operation.pop("parameters", None)
    return True


def _body_has_field(operation: dict[str, Any], schemas: dict[str, Any], field: str) -> bool:
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    ref = body.get("$ref", "")
    properties = schemas.get(ref.rsplit("/", 1)[-1], {}).get("properties", {}) if ref else body.get("properties", {})
    return field in properties
