"""The API's documentation page, rendered on the server from the OpenAPI schema: no script, so
it works under the strict Content Security Policy, and it reads in Vietnamese like the rest.
The machine-readable schema is at /api/v1/openapi.json."""

import functools
from dataclasses import dataclass, field, replace
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext

from llct.api.errors import CODES
from llct.api.models import EVENT_CHOICES

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass
class Field:
    name: str
    where: str
    kind: str
    required: bool
    description: str = ""


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    description: str
    anchor: str
    parameters: list[Field] = field(default_factory=list)
    body: list[Field] = field(default_factory=list)
    body_kind: str = ""
    responses: list[tuple[str, str]] = field(default_factory=list)
    public: bool = False


def _kind(schema: dict[str, Any], components: dict[str, Any]) -> str:
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in schema:
        kinds = [_kind(s, components) for s in schema["anyOf"]]
        return " | ".join(k for k in kinds if k != "null") + (" | null" if "null" in kinds else "")
    if schema.get("type") == "array":
        return f"[{_kind(schema.get('items', {}), components)}]"
    if "enum" in schema:
        return " | ".join(str(v) for v in schema["enum"])
    kind = str(schema.get("type", "object"))
    return f"{kind} ({schema['format']})" if "format" in schema else kind


def _fields(schema: dict[str, Any], components: dict[str, Any], where: str) -> list[Field]:
    if "$ref" in schema:
        schema = components.get(str(schema["$ref"]).rsplit("/", 1)[-1], {})
    required = set(schema.get("required", []))
    return [
        Field(
            name=name,
            where=where,
            kind=_kind(prop, components),
            required=name in required,
            description=str(prop.get("description", "")),
        )
        for name, prop in schema.get("properties", {}).items()
    ]


@functools.cache
def operations() -> tuple[list[tuple[str, list[Operation]]], dict[str, Any]]:
    from llct.api.endpoints import api

    schema = api.get_openapi_schema(path_prefix="/api/v1")
    components = schema.get("components", {}).get("schemas", {})
    groups: dict[str, list[Operation]] = {}
    for path, item in schema["paths"].items():
        for method in METHODS:
            op = item.get(method)
            if op is not None:
                tag = (op.get("tags") or ["API"])[0]
                groups.setdefault(tag, []).append(_operation(method, path, op, components))
    return list(groups.items()), components


def _operation(method: str, path: str, op: dict[str, Any], components: dict[str, Any]) -> Operation:
    operation = Operation(
        method=method.upper(),
        path=path,
        summary=str(op.get("summary", "")),
        description=str(op.get("description", "")),
        anchor=str(op.get("operationId", f"{method}-{path}")),
        public=not op.get("security"),
    )
    operation.parameters = [_parameter(param, components) for param in op.get("parameters", [])]
    for media, body in op.get("requestBody", {}).get("content", {}).items():
        operation.body_kind = media
        operation.body = _fields(body.get("schema", {}), components, "body")
    operation.responses = [
        (code, str(r.get("description", ""))) for code, r in op.get("responses", {}).items()
    ]
    return operation


def _parameter(param: dict[str, Any], components: dict[str, Any]) -> Field:
    return Field(
        name=param["name"],
        where=param["in"],
        kind=_kind(param.get("schema", {}), components),
        required=bool(param.get("required")),
        description=str(param.get("description", "")),
    )


def translated(groups: list[tuple[str, list[Operation]]]) -> list[tuple[str, list[Operation]]]:
    """The schema's titles are English, marked for translation where they are written; the page
    reads in the user's language."""

    def t(text: str) -> str:
        return gettext(text) if text else ""

    return [
        (t(tag), [replace(op, summary=t(op.summary), description=t(op.description)) for op in ops])
        for tag, ops in groups
    ]


@login_not_required
def api_docs(request: HttpRequest) -> HttpResponse:
    groups, components = operations()
    groups = translated(groups)
    shown = {
        name: _fields({"$ref": f"#/{name}"}, components, "")
        for name in sorted(components)
        if name.endswith("Out") or name.endswith("In") or name in ("PersonRow",)
    }
    return render(
        request,
        "api/docs.html",
        {
            "groups": groups,
            "schemas": shown,
            "codes": [(code, status, str(meaning)) for code, (status, meaning) in CODES.items()],
            "events": EVENT_CHOICES,
            "openapi_url": reverse("api-v1:openapi-json"),
        },
    )
