"""The OpenAPI document: every response in the envelope, every error code listed."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema

from klustera.api import MAX_ID, RejectUnknownFields

ERROR_CODES = [
    "VALIDATION_ERROR",
    "UNAUTHENTICATED",
    "TOKEN_EXPIRED",
    "PERMISSION_DENIED",
    "NOT_FOUND",
    "METHOD_NOT_ALLOWED",
    "NOT_ACCEPTABLE",
    "CONFLICT",
    "RATE_LIMITED",
    "TENANT_UNKNOWN",
    "TENANT_SUSPENDED",
    "TENANT_UNAVAILABLE",
    "TENANT_CANCELLED",
    "GATEWAY_UNAVAILABLE",
    "SERVER_ERROR",
]
ERROR_RESPONSES = {
    "400": "Malformed request",
    "401": "Not signed in, or the token is invalid or expired",
    "403": "Not allowed, or the complex is suspended",
    "404": "No such object in this complex",
    "405": "Method not allowed",
    "409": "Conflicts with the current state",
    "410": "The complex's service has ended",
    "413": "The body is too large",
    "415": "Unsupported content type",
    "422": "Validation failed",
    "429": "Rate limited",
    "503": "The complex is temporarily unavailable",
}


class FilteringSchema(AutoSchema):
    """Lists the ``?…`` filters of a ``FilteredList`` view, with their bounds and choices."""

    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        filters = getattr(self.view, "filter_serializer", None)
        if filters is not None and self.method == "GET":
            parameters.append(filters)
        return parameters


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "klustera.accounts.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An access token from /auth/login: `<complex>.<secret>`.",
        }


def describe_limits(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: what the server enforces, said in the schema.

    Bodies that refuse unknown fields say ``additionalProperties: false``; every
    whole number a request sends is bounded by what the database holds; ids
    and pages start at 1. A client generated from the document then never
    sends what the server refuses for its form.
    """
    strict = {
        component.name
        for component in generator.registry._components.values()
        if _refuses_unknown_fields(component.object)
    }
    in_forms = _sent_as_forms(result)
    for name, schema in result.get("components", {}).get("schemas", {}).items():
        if not name.endswith("Request"):
            continue
        if name in strict or name.removesuffix("Request") in strict:
            schema["additionalProperties"] = False
        required = set(schema.get("required", []))
        for field_name, field in schema.get("properties", {}).items():
            _bound_integers(field)
            if name in in_forms and field_name not in required and "pattern" in field:
                field["pattern"] = f"^$|{field['pattern']}"  # a form's blank: not given, or null
                field.pop("format", None)  # the pattern says it, blank included
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                schema = parameter.get("schema", {})
                if schema.get("type") == "integer":
                    schema.setdefault("minimum", 1)
                plain_text = schema.get("type") == "string" and not {"enum", "pattern"} & set(
                    schema
                )
                if plain_text and parameter.get("in") == "query":
                    schema["pattern"] = r"^[^\x00]*$"  # DRF refuses a NUL byte in any text
                if "pattern" in schema and parameter.get("in") == "query":
                    schema["pattern"] = f"^$|{schema['pattern']}"  # blank: no filter
                    schema.pop("format", None)  # the pattern says it, blank included
                _bound_integers(schema)
    return result


def _sent_as_forms(result: dict[str, Any]) -> set[str]:
    """The request components some operation takes as multipart form data."""
    names = set()
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            content = operation.get("requestBody", {}).get("content", {})
            ref = content.get("multipart/form-data", {}).get("schema", {}).get("$ref", "")
            if ref:
                names.add(ref.rsplit("/", 1)[-1])
    return names


def _refuses_unknown_fields(serializer: Any) -> bool:
    kind = serializer if isinstance(serializer, type) else type(serializer)
    return issubclass(kind, RejectUnknownFields)


def _bound_integers(schema: dict[str, Any]) -> None:
    if schema.get("type") == "integer":
        schema.setdefault("maximum", MAX_ID)
    elif schema.get("type") == "array":
        _bound_integers(schema.get("items", {}))
    elif schema.get("format") == "decimal" and "pattern" in schema:
        # drf-spectacular lets "", "-" and "." through; a decimal has a digit before any point.
        pattern = schema["pattern"].replace(r"(?:\.\d{0,0})?", "")  # whole Rupiah
        schema["pattern"] = pattern.replace(r"\d{0,", r"\d{1,", 1).replace(r"\.\d{0,", r"\.\d{1,")


def _envelope(data: dict[str, Any] | None, *, paginated: bool) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "success": {"type": "boolean", "enum": [True]},
        "data": data or {"nullable": True},
        "message": {"type": "string", "nullable": True},
    }
    required = ["success", "data"]
    if paginated:
        properties["meta"] = {"$ref": "#/components/schemas/PageMeta"}
        required.append("meta")
    return {"type": "object", "properties": properties, "required": required}


def _resolve(schema: dict[str, Any] | None, schemas: dict[str, Any]) -> dict[str, Any] | None:
    ref = (schema or {}).get("$ref", "")
    if ref.startswith("#/components/schemas/"):
        return schemas.get(ref.rsplit("/", 1)[-1])
    return schema


def wrap_in_envelope(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: the envelope around bodies, the error responses."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["PageMeta"] = {
        "type": "object",
        "properties": {
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "total": {"type": "integer"},
        },
        "required": ["page", "per_page", "total"],
    }
    schemas["Error"] = {
        "type": "object",
        "properties": {
            "success": {"type": "boolean", "enum": [False]},
            "error": {
                "type": "object",
                "properties": {
                    "code": {"type": "string", "enum": ERROR_CODES},
                    "message": {"type": "string"},
                    "details": {"nullable": True},
                },
                "required": ["code", "message"],
            },
        },
        "required": ["success", "error"],
    }
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for status_code, response in list(responses.items()):
                if not status_code.startswith("2"):
                    continue
                content = response.setdefault("content", {})
                if content and "application/json" not in content:
                    continue  # a file (PDF, CSV, XLSX) or a webhook's plain answer
                json_body = content.get("application/json", {})
                inner = json_body.get("schema")
                resolved = _resolve(inner, schemas)
                if resolved and "success" in resolved.get("properties", {}):
                    continue  # already an envelope (paginated lists)
                paginated = False
                content["application/json"] = {"schema": _envelope(inner, paginated=paginated)}
                for other in [key for key in content if key != "application/json"]:
                    if path.endswith("/webhook") and other == "text/plain":
                        continue
                    if content[other].get("schema", {}).get("format") == "binary":
                        continue  # JSON, or the file ``?format=`` asks for
                    del content[other]
            for status_code, description in ERROR_RESPONSES.items():
                responses.setdefault(
                    status_code,
                    {
                        "description": description,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                        },
                    },
                )
    return result
