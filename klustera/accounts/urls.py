from django.contrib.auth import views as auth_views
from django.urls import path

from klustera.accounts import api, views

api_urlpatterns = [
    path("auth/login", api.LoginView.as_view(), name="auth-login"),
    path("auth/refresh", api.RefreshView.as_view(), name="auth-refresh"),
    path("auth/logout", api.LogoutView.as_view(), name="auth-logout"),
    path("auth/otp/request", api.CodeRequestView.as_view(), name="auth-otp-request"),
    path("auth/otp/verify", api.CodeVerifyView.as_view(), name="auth-otp-verify"),
    path("auth/password", api.PasswordChangeView.as_view(), name="auth-password"),
    path("auth/password/reset", api.PasswordResetView.as_view(), name="auth-password-reset"),
    path("auth/me", api.MeView.as_view(), name="auth-me"),
    path("auth/tokens", api.TokenListView.as_view(), name="auth-tokens"),
    path("auth/tokens/<int:pk>", api.TokenDetailView.as_view(), name="auth-token-detail"),
    path(
        "auth/passkeys/sign-in/options",
        api.PasskeySignInOptionsView.as_view(),
        name="auth-passkey-sign-in-options",
    ),
    path("auth/passkeys/sign-in", api.PasskeySignInView.as_view(), name="auth-passkey-sign-in"),
    path("auth/passkeys", api.PasskeysView.as_view(), name="auth-passkeys"),
    path("auth/passkeys/options", api.PasskeyOptionsView.as_view(), name="auth-passkey-options"),
    path("auth/passkeys/<int:pk>", api.PasskeyDetailView.as_view(), name="auth-passkey-detail"),
    path("admin/staff", api.StaffView.as_view(), name="admin-staff"),
    path("admin/api-keys", api.ApiKeysView.as_view(), name="admin-api-keys"),
    path(
        "admin/api-keys/<int:pk>/revoke",
        api.ApiKeyRevokeView.as_view(),
        name="admin-api-key-revoke",
    ),
]

urlpatterns = [
    path("login", views.LoginView.as_view(), name="login"),
    path("login/code", views.code_login, name="login-code"),
    path("login/passkey", views.passkey_login, name="login-passkey"),
    path("password/reset", views.password_reset, name="password-reset"),
    path("logout", auth_views.LogoutView.as_view(), name="logout"),
    path("language", views.choose_language, name="choose-language"),
    path("profile", views.profile_page, name="profile-page"),
    path("manage/staff/", views.staff_page, name="staff-page"),
    path("manage/api-keys/", views.api_keys_page, name="api-keys-page"),
]
