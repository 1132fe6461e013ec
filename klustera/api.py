"""The v1 API conventions: the response envelope, error codes and pagination.

Success: ``{"success": true, "data": …, "message": …, "meta": {…}}``.
Error: ``{"success": false, "error": {"code", "message", "details"}}``.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from klustera.accounts.authentication import TokenExpired
from klustera.tenancy.errors import CrossTenantAccess, NoTenantSelected

if TYPE_CHECKING:
    from klustera.accounts.models import User

logger = logging.getLogger(__name__)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state."
    default_code = "conflict"


API_PATH = re.compile(r"^(/c/[^/]+)?/api/")


@extend_schema_field({"type": "string", "anyOf": [{"format": "email"}, {"maxLength": 0}]})
class OptionalEmailField(serializers.EmailField):
    """An email address, or the empty string when there is none."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("default", "")
        super().__init__(**kwargs)


class RejectUnknownFields:
    """Input serializers refuse fields they do not know instead of silently ignoring them."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            known = {name for name, field in self.fields.items() if not field.read_only}  # type: ignore[attr-defined]
            unknown = sorted(set(data) - known)
            if unknown:
                raise exceptions.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return super().to_internal_value(data)  # type: ignore[misc]


def validated(
    serializer_class: type[serializers.Serializer], request: Request, instance: Any = None
) -> dict[str, Any]:
    """The request body checked by ``serializer_class``; invalid input raises the 422 envelope."""
    serializer = serializer_class(instance, data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def call_service(func: Any, **kwargs: Any) -> Any:
    """Run a service from an API view; its ``ValidationError`` becomes the 422 envelope."""
    try:
        return func(**kwargs)
    except DjangoValidationError as exc:
        details = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        raise exceptions.ValidationError(details) from exc


def user_of(request: Request | HttpRequest) -> User:
    """The signed-in user of a request (API views behind IsAuthenticated, login_required pages)."""
    return cast("User", request.user)


def is_api_request(request: HttpRequest) -> bool:
    return bool(API_PATH.match(request.path_info))


def ok(
    data: Any = None,
    *,
    message: str | None = None,
    meta: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    body: dict[str, Any] = {"success": True, "data": data, "message": message}
    if meta is not None:
        body["meta"] = meta
    return Response(body, status=status)


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"success": False, "error": {"code": code, "message": message, "details": details}}


def error_response(code: str, message: str, *, status: int, details: Any = None) -> JsonResponse:
    """An error envelope outside DRF (middleware, URL-level 404/500)."""
    return JsonResponse(error_body(code, message, details), status=status)


_CODES = {
    TokenExpired: ("TOKEN_EXPIRED", status.HTTP_401_UNAUTHORIZED),
    Conflict: ("CONFLICT", status.HTTP_409_CONFLICT),
    exceptions.ValidationError: ("VALIDATION_ERROR", status.HTTP_422_UNPROCESSABLE_ENTITY),
    exceptions.ParseError: ("VALIDATION_ERROR", status.HTTP_400_BAD_REQUEST),
    exceptions.UnsupportedMediaType: ("VALIDATION_ERROR", status.HTTP_415_UNSUPPORTED_MEDIA_TYPE),
    exceptions.NotAuthenticated: ("UNAUTHENTICATED", status.HTTP_401_UNAUTHORIZED),
    exceptions.AuthenticationFailed: ("UNAUTHENTICATED", status.HTTP_401_UNAUTHORIZED),
    exceptions.PermissionDenied: ("PERMISSION_DENIED", status.HTTP_403_FORBIDDEN),
    exceptions.NotFound: ("NOT_FOUND", status.HTTP_404_NOT_FOUND),
    exceptions.MethodNotAllowed: ("METHOD_NOT_ALLOWED", status.HTTP_405_METHOD_NOT_ALLOWED),
    exceptions.NotAcceptable: ("NOT_ACCEPTABLE", status.HTTP_406_NOT_ACCEPTABLE),
    exceptions.Throttled: ("RATE_LIMITED", status.HTTP_429_TOO_MANY_REQUESTS),
}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """Turn every exception raised by an API view into the error envelope."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    if isinstance(exc, exceptions.APIException):
        code, http_status = next(
            (value for cls, value in _CODES.items() if isinstance(exc, cls)),
            ("SERVER_ERROR", exc.status_code),
        )
        if isinstance(exc, exceptions.ValidationError):
            message, details = _("The request is not valid."), exc.detail
        else:
            message, details = str(exc.detail), None
        response = Response(error_body(code, message, details), status=http_status)
        wait = getattr(exc, "wait", None)
        if isinstance(exc, exceptions.Throttled) and wait is not None:
            response["Retry-After"] = str(int(wait) + 1)
        if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    if isinstance(exc, RequestDataTooBig):
        return Response(
            error_body("VALIDATION_ERROR", _("The request body is too large.")),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, SuspiciousOperation):
        return Response(
            error_body("VALIDATION_ERROR", _("The request could not be read.")),
            status=status.HTTP_400_BAD_REQUEST,
        )

    if isinstance(exc, NoTenantSelected | CrossTenantAccess):
        logger.error("Tenant boundary refused a query: %s", exc)
        return Response(
            error_body("TENANT_UNKNOWN", _("No complex was selected for this request.")),
            status=status.HTTP_400_BAD_REQUEST,
        )

    logger.exception("Unhandled API error", exc_info=exc)
    return Response(
        error_body("SERVER_ERROR", _("Something went wrong on our side.")),
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )


class EnvelopePagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "per_page"
    max_page_size = 100

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param or "per_page")
        if raw is None:
            return self.page_size
        if not raw.isdigit() or int(raw) < 1:
            raise exceptions.ValidationError({"per_page": [_("Use a whole number from 1.")]})
        return min(int(raw), self.max_page_size)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
        return parameters

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {
                "success": {"type": "boolean", "enum": [True]},
                "data": schema,
                "message": {"type": "string", "nullable": True},
                "meta": {"$ref": "#/components/schemas/PageMeta"},
            },
            "required": ["success", "data", "meta"],
        }

    def get_paginated_response(self, data: Any) -> Response:
        assert self.page is not None
        return ok(
            data,
            meta={
                "page": self.page.number,
                "per_page": self.page.paginator.per_page,
                "total": self.page.paginator.count,
            },
        )
