from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from trama.accounts import views

app_name = "accounts"

urlpatterns = [
    path("accesso/", views.login_view, name="login"),
    path("uscita/", views.logout_view, name="logout"),
    path("area/", views.home, name="home"),
    # Second factor
    path("account/sicurezza/", views.security, name="security"),
    path("account/2fa/attiva/", views.otp_setup, name="otp-setup"),
    path("account/2fa/qrcode.svg", views.otp_qrcode, name="otp-qrcode"),
    path("account/2fa/verifica/", views.otp_verify, name="otp-verify"),
    path("account/2fa/codici-di-riserva/", views.backup_codes, name="backup-codes"),
    # Password: change, and the one-time links of "forgotten password" and invitations
    path(
        "account/password/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html", success_url=reverse_lazy("accounts:password-change-done")
        ),
        name="password-change",
    ),
    path(
        "account/password/fatto/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html"),
        name="password-change-done",
    ),
    path(
        "account/password/dimenticata/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset.html",
            email_template_name="accounts/email/password_reset.txt",
            subject_template_name="accounts/email/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password-reset-sent"),
        ),
        name="password-reset",
    ),
    path(
        "account/password/inviata/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_sent.html"),
        name="password-reset-sent",
    ),
    path(
        "account/password/imposta/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password-reset-complete"),
        ),
        name="password-reset-confirm",
    ),
    path(
        "account/password/impostata/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password-reset-complete",
    ),
    # Members of a programme and its audit trail (coordinators)
    path("area/<slug:slug>/membri/", views.member_list, name="member-list"),
    path("area/<slug:slug>/membri/nuovo/", views.member_add, name="member-add"),
    path("area/<slug:slug>/membri/<uuid:member_id>/", views.member_edit, name="member-edit"),
    path("area/<slug:slug>/membri/<uuid:member_id>/rimuovi/", views.member_revoke, name="member-revoke"),
    path("area/<slug:slug>/registro-accessi/", views.audit_log, name="audit-log"),
]
