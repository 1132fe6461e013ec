"""The v1 API conventions: the response envelope, error codes and pagination.

Success: ``{"success": true, "data": …, "message": …, "meta": {…}}``.
Error: ``{"success": false, "error": {"code", "message", "details"}}``.
"""

from __future__ import annotations

import logging
import math
import re
from datetime import date
from typing import TYPE_CHECKING, Any, cast

import orjson
import structlog
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import OperationalError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from klustera.errors import StateConflict
from klustera.formatting import EARLIEST_DAY, LATEST_DAY
from klustera.tenancy.errors import CrossTenantAccess, NoTenantSelected
from klustera.tenancy.security import report

if TYPE_CHECKING:
    from klustera.accounts.models import User

logger = logging.getLogger(__name__)

events = structlog.get_logger("klustera.events")


class TokenExpired(exceptions.AuthenticationFailed):
    default_detail = "The token has expired."
    default_code = "token_expired"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state."
    default_code = "conflict"

    def __init__(
        self, detail: str | None = None, *, error_code: str = "CONFLICT", details: Any = None
    ) -> None:
        super().__init__(detail)
        self.error_code = error_code
        self.details = details  # the fields in conflict, as a 422's details name them


API_PATH = re.compile(r"^(/c/[^/]+)?/api/")


@extend_schema_field({"type": "string", "anyOf": [{"format": "email"}, {"maxLength": 0}]})
class OptionalEmailField(serializers.EmailField):
    """An email address, or the empty string when there is none."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("default", "")
        super().__init__(**kwargs)


MAX_ID = 2**63 - 1
DAY_PATTERN = r"^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
MOMENT_PATTERN = r"^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T.+$"
# What the schema promises: only days every month has the right number of (no 31 November,
# no 29 February), so a client generating from the schema never writes a day that is not one.
_CALENDAR_DAY = (
    r"20[0-9]{2}-(((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01]))"
    r"|((0[469]|11)-(0[1-9]|[12][0-9]|30))|(02-(0[1-9]|1[0-9]|2[0-8])))"
)
DAY_SCHEMA_PATTERN = rf"^{_CALENDAR_DAY}$"
MOMENT_SCHEMA_PATTERN = rf"^{_CALENDAR_DAY}T.+$"
CLOCK_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
MONTH_PATTERN = r"^20[0-9]{2}-(0[1-9]|1[0-2])$"


class IdField(serializers.IntegerField):
    """An object's id: a whole number the database can hold (bounds in the schema)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


PHONE_PATTERN = r"^(\+62|62|0)[ -]?[1-9]([ -]?[0-9]){7,11}$"
PLATE_PATTERN = r"^[A-Za-z0-9]{3,10}$"


@extend_schema_field({"type": "string", "pattern": PHONE_PATTERN, "example": "081234567890"})
class PhoneField(serializers.CharField):
    """An Indonesian phone number (``0812…``, ``62812…`` or ``+62812…``; separators too)."""

    default_error_messages = {
        "phone": gettext_lazy("Enter an Indonesian phone number, e.g. 0812 3456 7890.")
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        text = super().to_internal_value(data)
        if text and not re.match(PHONE_PATTERN, text):
            self.fail("phone")
        return text


@extend_schema_field({"type": "string", "pattern": PLATE_PATTERN, "example": "B1234XYZ"})
class PlateField(serializers.CharField):
    """A number plate (``B 1234 XYZ`` is read as ``B1234XYZ``)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 15)
        super().__init__(**kwargs)


def _written(value: Any, pattern: str) -> None:
    """Dates are taken only as the schema writes them (not every form ISO allows)."""
    if isinstance(value, str) and not re.match(pattern, value):
        raise serializers.ValidationError(_("Use a date from 2000 to 2099, as YYYY-MM-DD."))


@extend_schema_field({"type": "string", "format": "date", "pattern": DAY_SCHEMA_PATTERN})
class DayField(serializers.DateField):
    """A calendar day from 2000 to 2099: no book of a complex holds another."""

    def to_internal_value(self, value: Any) -> Any:
        _written(value, DAY_PATTERN)
        day = super().to_internal_value(value)
        if not EARLIEST_DAY <= day <= LATEST_DAY:
            raise serializers.ValidationError(_("Use a date from 2000 to 2099."))
        return day


@extend_schema_field({"type": "string", "format": "date-time", "pattern": MOMENT_SCHEMA_PATTERN})
class MomentField(serializers.DateTimeField):
    """A moment from 2000 to 2099, with its time zone (or the complex's)."""

    def to_internal_value(self, value: Any) -> Any:
        _written(value, MOMENT_PATTERN)
        moment = super().to_internal_value(value)
        if not EARLIEST_DAY <= moment.date() <= LATEST_DAY:
            raise serializers.ValidationError(_("Use a date from 2000 to 2099."))
        return moment


class DeviceIdField(serializers.UUIDField):
    """A device's id of one write (a UUID it made), so a replay is stored once: written as
    text only (DRF would take a number, even ``false``, as a UUID)."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)


@extend_schema_field({"type": "string", "pattern": MONTH_PATTERN, "example": "2026-12"})
class MonthField(serializers.Field):
    """A calendar month from 2000 to 2099 written ``YYYY-MM``, held as its first day."""

    default_error_messages = {"invalid": gettext_lazy("Write the month as YYYY-MM, e.g. 2026-12.")}

    def to_internal_value(self, data: Any) -> date:
        written = str(data).strip()
        if not re.match(MONTH_PATTERN, written):
            self.fail("invalid")
        return date(int(written[:4]), int(written[5:]), 1)

    def to_representation(self, value: date) -> str:
        return f"{value:%Y-%m}"


@extend_schema_field({"type": "string", "pattern": CLOCK_PATTERN, "example": "18:00"})
class ClockField(serializers.TimeField):
    """A time of day on the complex's clock, ``HH:MM``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", input_formats=["%H:%M"], **kwargs)

    def to_internal_value(self, value: Any) -> Any:
        if not isinstance(value, str) or not re.match(CLOCK_PATTERN, value):
            raise serializers.ValidationError(_("Use a time of day as HH:MM."))
        return super().to_internal_value(value)


class FilterChoice(serializers.ChoiceField):
    """One value of a list filter; blank means no filter (as a form sends it)."""

    def __init__(self, choices: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        super().__init__(choices, **kwargs)


class FilterText(serializers.CharField):
    """A text filter of a list: short, and never a NUL byte (DRF refuses those)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 60)
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)


class FormatIsAFile(DefaultContentNegotiation):
    """For views whose ``?format=csv`` (``xlsx``, ``pdf``) asks for a file they write
    themselves: the parameter is theirs, not DRF's choice among renderers (which would
    answer 404, having no CSV renderer). Without it the answer is JSON as everywhere."""

    def select_renderer(
        self, request: Any, renderers: Any, format_suffix: str | None = None
    ) -> tuple[Any, str]:
        return super().select_renderer(request, renderers, format_suffix="json")


def json_or_files(*media_types: str) -> dict[Any, Any]:
    """The documented answers of a view that gives JSON, or the file ``?format=`` asks for
    (with :class:`FormatIsAFile`)."""
    return {200: OpenApiTypes.OBJECT, **{(200, kind): OpenApiTypes.BINARY for kind in media_types}}


def query(serializer_class: type[serializers.Serializer], params: Any) -> dict[str, Any]:
    """A query string checked by ``serializer_class``: blanks dropped, bad values a 422."""
    given = {key: value for key, value in params.items() if value != ""}
    serializer = serializer_class(data=given)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _json_type(field: Any) -> str:
    """The JSON type the schema gives a field's value ("" where it does not say one)."""
    if isinstance(field, serializers.BooleanField):
        return "boolean"
    if isinstance(field, serializers.IntegerField | serializers.PrimaryKeyRelatedField):
        return "integer"
    if isinstance(field, serializers.ListField | serializers.ListSerializer):
        return "array"
    if isinstance(field, serializers.FileField):
        return ""
    if isinstance(
        field,
        serializers.CharField
        | serializers.DecimalField  # money is a string of digits, never a float
        | serializers.DateField
        | serializers.DateTimeField
        | serializers.ChoiceField,
    ):
        return "string"
    return ""


def _not_text(field: Any) -> bool:
    """A number or a date written as a string: empty is no value of it."""
    return isinstance(field, serializers.DecimalField | serializers.DateField)


def _is_json(value: Any, expected: str) -> bool:
    if expected == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, {"boolean": bool, "array": list, "string": str}[expected])


class RejectUnknownFields:
    """Input serializers refuse fields they do not know instead of silently ignoring them.

    In a JSON body, each value also has the type the schema gives it:
    ``"plate": 0`` or ``"send": "true"`` is refused rather than coerced.
    """

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            fields = self.fields  # type: ignore[attr-defined]
            known = {name for name, field in fields.items() if not field.read_only}
            errors = {name: [_("Unknown field.")] for name in sorted(set(data) - known)}
            if type(data) is dict:  # JSON: types as the schema says (a form sends only text)
                for name, value in data.items():
                    expected = _json_type(fields.get(name))
                    # null is left to the field's own allow_null
                    if value is not None and expected and not _is_json(value, expected):
                        errors[name] = [_("Send a value of type %(type)s.") % {"type": expected}]
                    elif value == "" and _not_text(fields.get(name)):
                        errors[name] = [_("Send null for no value.")]
            if errors:
                raise exceptions.ValidationError(errors)
        return super().to_internal_value(data)  # type: ignore[misc]


def validated(
    serializer_class: type[serializers.Serializer], request: Request, instance: Any = None
) -> dict[str, Any]:
    """The request body checked by ``serializer_class``; invalid input raises the 422 envelope."""
    serializer = serializer_class(instance, data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def call_service(func: Any, **kwargs: Any) -> Any:
    """Run a service from an API view; its ``ValidationError`` becomes the 422 envelope.

    A ``StateConflict`` becomes a 409 with its own error code.
    """
    try:
        return func(**kwargs)
    except DjangoValidationError as exc:
        raise _api_error(exc) from exc


def _api_error(exc: DjangoValidationError) -> exceptions.APIException:
    """The envelope's error for a service's error: its messages per field, and their codes.

    ``details["codes"]`` holds the stable code of each message, field by field
    (``{"period": ["invoice_exists_for_month"]}``, ``{"detail": ["invoice_already_paid"]}``),
    for clients to act on; the messages are for people and may change.
    """
    codes = codes_of(exc)
    if isinstance(exc, StateConflict):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {}
        details = {**fields, **exc.details, "codes": codes}
        return Conflict(" ".join(exc.messages), error_code=exc.api_code, details=details)
    messages = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
    return exceptions.ValidationError({**messages, **({"codes": codes} if codes else {})})


def codes_of(exc: DjangoValidationError) -> dict[str, list[str]]:
    """A service error's stable codes, field by field (fields with none left out)."""
    fields = exc.error_dict if hasattr(exc, "error_dict") else {"detail": exc.error_list}
    codes = {
        field: [error.code for error in errors if error.code] for field, errors in fields.items()
    }
    return {field: listed for field, listed in codes.items() if listed}


def user_of(request: Request | HttpRequest) -> User:
    """The signed-in user of a request (API views behind IsAuthenticated, login_required pages)."""
    return cast("User", request.user)


class OrjsonRenderer(JSONRenderer):
    """DRF's JSON, written by orjson: the same bytes, several times faster on large lists.

    Times go through DRF's encoder (milliseconds, ``Z`` for UTC), as do the types orjson
    does not know (Decimal, lazy text, querysets)."""

    _drf = JSONEncoder()

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        if data is None:
            return b""
        return orjson.dumps(
            data,
            default=self._drf.default,
            option=orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS,
        )


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


def retry_after(wait: float | None) -> str:
    """The ``Retry-After`` header's value for a wait in seconds (rounded up, at least 1)."""
    return str(math.ceil(wait or 0) or 1)


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
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, DjangoValidationError):  # a service's, reached without call_service
        exc = _api_error(exc)

    if isinstance(exc, exceptions.PermissionDenied):
        report("permission_denied", request=context.get("request"))
    if isinstance(exc, exceptions.APIException):
        code, http_status = next(
            (value for cls, value in _CODES.items() if isinstance(exc, cls)),
            ("SERVER_ERROR", exc.status_code),
        )
        if isinstance(exc, Conflict):
            code = exc.error_code
        details: Any = None
        if isinstance(exc, exceptions.ValidationError):
            message, details = _("The request is not valid."), exc.detail
            events.info(  # which fields, never what was sent in them
                "api.validation_failed",
                fields=sorted(details) if isinstance(details, dict) else [],
            )
        else:
            message, details = str(exc.detail), getattr(exc, "details", None)
        response = Response(error_body(code, message, details), status=http_status)
        wait = getattr(exc, "wait", None)
        if isinstance(exc, exceptions.Throttled) and wait is not None:
            response["Retry-After"] = retry_after(wait)
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
        report("boundary_refused", request=context.get("request"), detail=type(exc).__name__)
        return Response(
            error_body("TENANT_UNKNOWN", _("No complex was selected for this request.")),
            status=status.HTTP_400_BAD_REQUEST,
        )

    if isinstance(exc, OperationalError):  # a database or its pool stopped answering
        logger.error("Database unavailable: %s", exc)
        return Response(
            error_body("TENANT_UNAVAILABLE", _("This complex is temporarily unavailable.")),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
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
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise exceptions.ValidationError({"per_page": [_("Use a whole number from 1 to 100.")]})
        return int(raw)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
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
