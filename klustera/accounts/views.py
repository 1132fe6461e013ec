"""Signing in and out of the portal (phone and password)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from klustera.accounts.roles import Role


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


class LoginView(auth_views.LoginView):
    form_class = PhoneLoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


def manager_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A portal page for the complex's property managers only."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.has_role(Role.PROPERTY_MANAGER):  # type: ignore[union-attr]
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
