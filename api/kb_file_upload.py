"""Reading an add/knowledgebase-file request: a JSON body, or multipart/form-data files (as the
MemOS client's add_knowledgebase_file_form sends them, with knowledgebase_id in the query)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from api.errors import MemfeedError
from api.schemas import AddKnowledgebaseFileRequest
from core.error_codes import ErrorCode

MAX_FORM_FILES = 100


async def read_request(request: Request) -> tuple[AddKnowledgebaseFileRequest, str | None]:
    """The validated request, and the file type a form names (its `type` or the files' MIME type)."""
    content_type = request.headers.get("content-type", "").lower()
    if content_type.startswith("multipart/form-data"):
        return await _from_form(request)
    raw = await request.body()
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        message = "request body is not valid JSON (or multipart/form-data files)"
        raise MemfeedError(ErrorCode.BAD_REQUEST, message) from exc
    return validated(data), None


def validated(data: Any) -> AddKnowledgebaseFileRequest:
    if not isinstance(data, dict):
        raise MemfeedError(ErrorCode.BAD_REQUEST, "request body must be a JSON object")
    try:
        return AddKnowledgebaseFileRequest.model_validate(data)
    except ValidationError as exc:
        # The app's handler gives these their MemOS code, as for any other route.
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        raise RequestValidationError(errors) from exc


async def _from_form(request: Request) -> tuple[AddKnowledgebaseFileRequest, str | None]:
    try:
        form = await request.form(max_files=MAX_FORM_FILES)
    except Exception as exc:  # malformed multipart, or too many files
        raise MemfeedError(ErrorCode.BAD_REQUEST, f"multipart/form-data body could not be read: {exc}") from exc
    uploads = [item for item in form.getlist("file") if isinstance(item, UploadFile)]
    kb_id = request.query_params.get("knowledgebase_id") or form.get("knowledgebase_id")
    file_type = request.query_params.get("type") or form.get("type")
    files = []
    for upload in uploads:
        name = upload.filename or "file"
        content = await upload.read()
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise MemfeedError(
                ErrorCode.BAD_REQUEST,
                f"file {name} is not UTF-8 text: memfeed reads text files (.txt, .md, .csv, .json, ...)",
            ) from exc
        files.append({"name": name, "content": text})
        file_type = file_type or upload.content_type
    body = validated({"knowledgebase_id": kb_id if isinstance(kb_id, str) else None, "file": files})
    return body, file_type if isinstance(file_type, str) else None


def openapi_body() -> dict[str, Any]:
    """The JSON body's schema for the OpenAPI document, inlined (the route reads the body itself)."""
    schema = AddKnowledgebaseFileRequest.model_json_schema()
    definitions = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return inline(definitions[ref.removeprefix("#/$defs/")])
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(value) for value in node]
        return node

    return {"requestBody": {"required": True, "content": {"application/json": {"schema": inline(schema)}}}}
