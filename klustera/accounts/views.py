"""Signing in and out of the portal (phone and password)."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from klustera.accounts import passkeys, services, tasks
from klustera.accounts.models import ApiKey, ApiToken, OneTimeCode, Passkey, User
from klustera.api import retry_after, user_of
from klustera.net import client_ip
from klustera.notifications.selectors import whatsapp_consent
from klustera.permissions import manager_required
from klustera.privacy.services import needs_consent
from klustera.roles import STAFF_ROLES, Role, roles_of
from klustera.tenancy.context import current_tenant
from klustera.throttling import throttled_sign_in


class PhoneLoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Phone number"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autofocus": True, "inputmode": "tel", "autocomplete": "tel"}
        ),
    )
    error_messages = {
        "invalid_login": _("The phone number or password is wrong."),
        "inactive": _("This account is not active."),
    }
    retry_after: int | None = None

    def clean(self) -> dict[str, Any]:
        """The API's sign-in check, lock-out included (``authenticate_password``)."""
        phone, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if phone is not None and password:
            try:
                self.user_cache = services.authenticate_password(
                    phone=phone,
                    password=password,
                    ip=client_ip(self.request) if self.request else None,
                )
            except services.AuthError as exc:
                self.retry_after = exc.retry_after
                raise ValidationError(str(exc), code="invalid_login") from exc
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


@method_decorator(throttled_sign_in, name="dispatch")
class LoginView(auth_views.LoginView):
    form_class = PhoneLoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: PhoneLoginForm) -> HttpResponse:  # type: ignore[override]
        """Signed in; a language chosen on the sign-in page becomes the account's."""
        response = super().form_valid(form)
        chosen = self.request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        user = form.get_user()
        if chosen in dict(settings.LANGUAGES) and chosen != user.language:
            services.set_language(user=user, language=chosen)
        return response

    def get_success_url(self) -> str:
        """A resident never asked about WhatsApp is asked first, then goes on."""
        url = super().get_success_url()
        user = self.request.user
        if Role.RESIDENT in roles_of(user) and whatsapp_consent(user) is None:  # type: ignore[arg-type]
            url = f"{reverse('my-notifications')}?{urlencode({'first': '1', 'next': url})}"
        return after_sign_in(user, url)

    def form_invalid(self, form: PhoneLoginForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_invalid(form)
        if form.retry_after:  # locked out: said as the API says it
            response.status_code = 429
            response["Retry-After"] = retry_after(form.retry_after)
        return response


def after_sign_in(user: Any, url: str) -> str:
    """Where a person goes once signed in: the privacy notice first when its version in force
    is new to them (UU PDP: consent that can be proven), then on."""
    if current_tenant() is not None and needs_consent(user):  # platform staff sign in outside one
        return f"{reverse('privacy-consent')}?{urlencode({'next': url})}"
    return url


class PasskeyForm(forms.Form):
    challenge_id = forms.UUIDField()
    credential = forms.JSONField()


@require_POST
@throttled_sign_in
def passkey_login(request: HttpRequest) -> HttpResponse:
    """Sign in with a passkey: the page's script posts the browser's answer here."""
    form = PasskeyForm(request.POST)
    if not form.is_valid() or not isinstance(form.cleaned_data["credential"], dict):
        return JsonResponse(
            {"message": str(_("The passkey's answer could not be read."))}, status=400
        )
    try:
        user = passkeys.sign_in_with_passkey(
            challenge_id=form.cleaned_data["challenge_id"],
            credential=form.cleaned_data["credential"],
            rp=passkeys.relying_party(request),
        )
    except services.AuthError as exc:
        return JsonResponse({"message": str(exc)}, status=401)
    auth_login(request, user)
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = reverse("home")
    return JsonResponse({"next": after_sign_in(user, next_url)})


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )


class CodeForm(PhoneForm):
    code = forms.CharField(
        label=_("Code"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class ResetForm(CodeForm):
    new_password = forms.CharField(label=_("New password"), widget=forms.PasswordInput)


@throttled_sign_in
def code_login(request: HttpRequest) -> HttpResponse:
    """Sign in with a code sent to the phone (WhatsApp, or SMS)."""
    return _code_flow(
        request,
        purpose=OneTimeCode.Purpose.LOGIN,
        form_class=CodeForm,
        template="accounts/code_login.html",
    )


@throttled_sign_in
def password_reset(request: HttpRequest) -> HttpResponse:
    """Choose a new password after proving the phone with a code."""
    return _code_flow(
        request,
        purpose=OneTimeCode.Purpose.PASSWORD_RESET,
        form_class=ResetForm,
        template="accounts/password_reset.html",
    )


def _code_flow(
    request: HttpRequest, *, purpose: str, form_class: type[CodeForm], template: str
) -> HttpResponse:
    if request.method == "POST" and request.POST.get("step") == "request":
        form: forms.Form = PhoneForm(request.POST)
        if form.is_valid():
            tasks.send_code(form.cleaned_data["phone"], purpose)
            messages.info(request, _("If this number has an account, a code is on its way."))
            return render(
                request, template, {"form": form_class(initial=form.cleaned_data), "step": "verify"}
            )
        return render(request, template, {"form": form, "step": "request"})
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if purpose == OneTimeCode.Purpose.PASSWORD_RESET:
                    services.reset_password(
                        phone=data["phone"],
                        code=data["code"],
                        new_password=data["new_password"],
                        ip=client_ip(request) or None,
                    )
                    messages.success(request, _("Password changed; sign in again on every device."))
                    return redirect("login")
                user = services.check_code(
                    phone=data["phone"],
                    code=data["code"],
                    purpose=purpose,
                    ip=client_ip(request) or None,
                )
            except services.AuthError as exc:
                form.add_error("code", str(exc))
            except ValidationError as exc:
                form.add_error("new_password", exc)
            else:
                auth_login(request, user)
                return redirect(after_sign_in(user, reverse("home")))
        return render(request, template, {"form": form, "step": "verify"})
    return render(request, template, {"form": PhoneForm(), "step": "request"})


@require_POST
def choose_language(request: HttpRequest) -> HttpResponse:
    """The language switcher: remembered in a cookie, and on the account when signed in."""
    language = request.POST.get("language", "")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("home")
    response = redirect(back)
    if language not in dict(settings.LANGUAGES):
        return response
    if request.user.is_authenticated:
        services.set_language(user=request.user, language=language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


class StaffForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    phone = forms.CharField(label=_("Phone number"), max_length=20)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[(role.value, role.label) for role in Role if role in STAFF_ROLES],
    )
    password = forms.CharField(
        label=_("Password"),
        min_length=8,
        widget=forms.PasswordInput,
        help_text=_("They can change it later, or sign in with a code instead."),
    )


@manager_required
def staff_page(request: HttpRequest) -> HttpResponse:
    """The complex's staff accounts: add one with its role, switch one off or on."""
    form = StaffForm(request.POST or None)
    if request.method == "POST" and "toggle" in request.POST:
        toggle = request.POST.get("toggle", "")
        person = get_object_or_404(User, pk=int(toggle) if toggle.isdigit() else 0)
        try:
            services.set_staff_active(
                user=person, active=request.POST.get("active") == "1", actor=user_of(request)
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("staff-page")
    if request.method == "POST" and form.is_valid():
        try:
            services.create_staff(actor=user_of(request), **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Account created."))
            return redirect("staff-page")
    accounts = (
        User.objects.filter(groups__name__in=STAFF_ROLES)
        .prefetch_related("groups")
        .distinct()
        .order_by("name")
    )
    rows = [
        (
            person,
            ", ".join(
                str(Role(g.name).label) for g in person.groups.all() if g.name in Role.values
            ),
        )
        for person in accounts
    ]
    return render(request, "accounts/staff.html", {"form": form, "staff": rows})


class PasswordForm(PasswordChangeForm):
    """Django's form, without the focus it takes: on the profile page it is the second form."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].widget.attrs.pop("autofocus", None)


class ProfileForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    email = forms.EmailField(label=_("Email"), required=False)
    language = forms.ChoiceField(label=_("Language"), choices=User.Language.choices)


@login_required
def profile_page(request: HttpRequest) -> HttpResponse:
    """The signed-in user's name, email and language, and the devices signed in with the app."""
    user = user_of(request)
    if request.method == "POST" and "sign_out" in request.POST:
        family = request.POST.get("sign_out", "")
        token = ApiToken.objects.filter(user=user, family__in=_uuid_or_none(family)).first()
        if token is not None:
            services.revoke_token(token=token)
            messages.success(request, _("That device is signed out."))
        return redirect("profile-page")
    if request.method == "POST" and "remove_passkey" in request.POST:
        passkey = Passkey.objects.filter(
            user=user, pk__in=_int_or_none(request.POST["remove_passkey"])
        ).first()
        if passkey is not None:
            passkeys.remove_passkey(passkey=passkey, actor=user)
            messages.success(request, _("Passkey removed: it signs in no more."))
        return redirect("profile-page")
    if request.method == "POST" and "change_password" in request.POST:
        password_form = PasswordForm(user, request.POST, prefix="password")
        if password_form.is_valid():
            services.change_password(
                user=user, new_password=password_form.cleaned_data["new_password1"]
            )
            update_session_auth_hash(request, user)  # this browser stays signed in
            messages.success(
                request, _("Password changed; the apps signed in with the old one are signed out.")
            )
            return redirect("profile-page")
    else:
        password_form = PasswordForm(user, prefix="password")
    form = ProfileForm(
        request.POST
        if request.method == "POST" and "change_password" not in request.POST
        else None,
        initial={"name": user.name, "email": user.email, "language": user.language},
    )
    if request.method == "POST" and form.is_valid():
        services.update_profile(user=user, **form.cleaned_data)
        messages.success(request, _("Profile saved."))
        return redirect("profile-page")
    devices = ApiToken.objects.filter(
        user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()
    )
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "password_form": password_form,
            "devices": devices,
            "passkeys": user.passkeys.all(),
        },
    )


def _int_or_none(value: str) -> list[int]:
    return [int(value)] if value.isdigit() and len(value) < 12 else []


def _uuid_or_none(value: str) -> list[uuid.UUID]:
    try:
        return [uuid.UUID(value)]
    except ValueError:
        return []


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("e.g. Accounting system"))
    scope = forms.ChoiceField(label=_("Scope"), choices=ApiKey.Scope.choices)
    expires_on = forms.DateField(
        label=_("Expires on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Within a year."),
    )


@manager_required
def api_keys_page(request: HttpRequest) -> HttpResponse:
    """The complex's API keys: make one (shown this once), revoke one."""
    form = ApiKeyForm(
        None if "revoke" in request.POST else request.POST or None,
        initial={"expires_on": timezone.localdate() + timedelta(days=90)},
    )
    secret = ""
    if request.method == "POST" and "revoke" in request.POST:
        revoke = request.POST["revoke"]
        key = get_object_or_404(ApiKey, pk=int(revoke) if revoke.isdigit() else 0)
        services.revoke_api_key(key=key, actor=user_of(request))
        messages.success(request, _("%(name)s no longer works.") % {"name": key.name})
        return redirect("api-keys-page")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        end_of_day = datetime.combine(data["expires_on"], time(23, 59))
        try:
            _key, secret = services.create_api_key(
                name=data["name"],
                scope=data["scope"],
                expires_at=timezone.make_aware(end_of_day),
                actor=user_of(request),
            )
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            for name, problems in errors.items():  # the form asks for a day, not a moment
                form.add_error("expires_on" if name == "expires_at" else None, problems)
        else:
            form = ApiKeyForm(initial={"expires_on": data["expires_on"]})
    response = render(
        request,
        "accounts/api_keys.html",
        {"form": form, "keys": ApiKey.objects.all(), "secret": secret, "now": timezone.now()},
    )
    if secret:
        add_never_cache_headers(response)  # the key is on this page alone, this once
    return response
