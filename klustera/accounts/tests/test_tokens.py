"""Bearer tokens: stored as digests, tied to one complex, refused once expired or revoked."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from klustera.accounts.models import ApiToken
from klustera.accounts.services import create_user, issue_token, revoke_token, token_digest
from klustera.roles import Role
from klustera.tenancy.context import tenant_context


def _issue(tenant):
    with tenant_context(tenant):
        user = create_user(
            phone="081355550000",
            name="Rina",
            password="pw-123456",
            roles=[Role.RESIDENT, Role.PROPERTY_MANAGER],
        )
        token, record = issue_token(user=user, device_name="Android Rina")
    return token, record


def _me(token: str):
    return Client().get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_only_the_digest_of_a_token_is_stored(tenant_a) -> None:
    token, record = _issue(tenant_a)
    assert token.startswith("alpha.") and len(token) > 40
    assert record.digest == token_digest(token) and token not in record.digest


def test_me_answers_with_the_user_and_their_roles(tenant_a) -> None:
    token, record = _issue(tenant_a)
    body = _me(token).json()
    assert body["success"] is True
    assert body["data"]["phone"] == "+6281355550000"
    assert body["data"]["roles"] == ["property_manager", "resident"]
    with tenant_context(tenant_a):
        assert ApiToken.objects.get(pk=record.pk).last_used_at is not None


def test_expired_and_revoked_tokens_are_refused(tenant_a) -> None:
    token, record = _issue(tenant_a)
    with tenant_context(tenant_a):
        ApiToken.objects.filter(pk=record.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
    expired = _me(token)
    assert expired.status_code == 401
    assert expired.json()["error"]["code"] == "TOKEN_EXPIRED"
    assert expired["WWW-Authenticate"].startswith("Bearer")

    token, record = _issue_again(tenant_a)
    with tenant_context(tenant_a):
        revoke_token(token=ApiToken.objects.get(pk=record.pk))
    assert _me(token).status_code == 401


def _issue_again(tenant):
    with tenant_context(tenant):
        user = ApiToken.objects.first().user
        return issue_token(user=user)


def test_malformed_and_unknown_tokens_are_refused(tenant_a) -> None:
    client = Client()
    for header in ["Bearer", "Bearer a b", "Bearer alpha.not-a-real-token"]:
        response = client.get("/c/alpha/api/v1/auth/me", HTTP_AUTHORIZATION=header)
        assert response.status_code == 401, header
        assert response.json()["success"] is False
