"""Referrals, under /area/<programme-slug>/: from a case (the sending side) and in the queues."""

from __future__ import annotations

from django.urls import path

from trama.casework.views import referrals

CASE = "<slug:slug>/casi/<uuid:case_id>/"
QUEUE = "<slug:slug>/segnalazioni/"

urlpatterns = [
    # The sending side, through the case (S2).
    path(f"{CASE}segnalazioni/nuova/", referrals.referral_create, name="referral-create"),
    path(f"{CASE}segnalazioni/<uuid:referral_id>/", referrals.referral_detail, name="referral-detail"),
    path(f"{CASE}segnalazioni/<uuid:referral_id>/revoca/", referrals.referral_revoke, name="referral-revoke"),
    # The queues.
    path(f"{QUEUE}ricevute/", referrals.referral_inbox, name="referral-inbox"),
    path(f"{QUEUE}inviate/", referrals.referral_outbox, name="referral-outbox"),
    # The receiving side: minimal data, and the decisions.
    path(f"{QUEUE}ricevute/<uuid:referral_id>/", referrals.referral_received, name="referral-received"),
    path(f"{QUEUE}<uuid:referral_id>/<str:action>/", referrals.referral_decide, name="referral-decide"),
]
