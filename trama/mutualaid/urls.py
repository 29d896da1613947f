"""Volunteers' and mutual aid's staff and self-service addresses, under /area/<programme-slug>/
(namespace "mutualaid"): volunteering (coordinators, lab managers), the volunteer's own area
("io"), mutual aid (coordinators, operators, lab managers) and the time bank."""

from __future__ import annotations

from django.urls import path

from trama.mutualaid.views import aid, selfservice, timebank, volunteers

VOLUNTEERING = "<slug:slug>/volontariato/"
VOLUNTEER = VOLUNTEERING + "<uuid:volunteer_id>/"
MINE = VOLUNTEERING + "io/"
AID = "<slug:slug>/mutuo-aiuto/"
REQUEST = AID + "richieste/<uuid:request_id>/"
MATCH = AID + "abbinamenti/<uuid:match_id>/"
NETWORK = AID + "microreti/<uuid:network_id>/"
GROUP = AID + "gruppi/<uuid:group_id>/"

app_name = "mutualaid"

urlpatterns = [
    # Volunteers (coordinators; lab managers for their own).
    path(VOLUNTEERING, volunteers.volunteer_list, name="volunteer-list"),
    path(VOLUNTEERING + "nuovo/", volunteers.volunteer_create, name="volunteer-create"),
    path(VOLUNTEER, volunteers.volunteer_detail, name="volunteer-detail"),
    path(VOLUNTEER + "approva/", volunteers.volunteer_approve, name="volunteer-approve"),
    path(VOLUNTEER + "rifiuta/", volunteers.volunteer_reject, name="volunteer-reject"),
    path(VOLUNTEER + "formazione/", volunteers.volunteer_training, name="volunteer-training"),
    # Hours to confirm, and shifts at activities.
    path(VOLUNTEERING + "ore/", volunteers.hours_review, name="hours-review"),
    path(VOLUNTEERING + "ore/<uuid:log_id>/conferma/", volunteers.hours_confirm, name="hours-confirm"),
    path(VOLUNTEERING + "ore/<uuid:log_id>/respingi/", volunteers.hours_reject, name="hours-reject"),
    path(VOLUNTEERING + "turni/", volunteers.shift_list, name="shift-list"),
    path(VOLUNTEERING + "turni/nuovi/", volunteers.shift_create, name="shift-create"),
    path(VOLUNTEERING + "turni/<uuid:shift_id>/", volunteers.shift_detail, name="shift-detail"),
    path(VOLUNTEERING + "turni/<uuid:shift_id>/elimina/", volunteers.shift_delete, name="shift-delete"),
    # The volunteer's own area.
    path(MINE, selfservice.my_home, name="my-home"),
    path(MINE + "profilo/", selfservice.my_profile, name="my-profile"),
    path(MINE + "turni/<uuid:shift_id>/iscriviti/", selfservice.my_shift_signup, name="my-shift-signup"),
    path(MINE + "turni/<uuid:shift_id>/annulla/", selfservice.my_shift_cancel, name="my-shift-cancel"),
    path(MINE + "abbinamenti.json", selfservice.my_matches_json, name="my-matches-json"),
    path(MINE + "abbinamenti/<uuid:match_id>/", selfservice.my_match, name="my-match"),
    path(MINE + "abbinamenti/<uuid:match_id>/accetta/", selfservice.my_match_accept, name="my-match-accept"),
    path(MINE + "abbinamenti/<uuid:match_id>/rifiuta/", selfservice.my_match_decline, name="my-match-decline"),
    path(MINE + "abbinamenti/<uuid:match_id>/fatto/", selfservice.my_match_done, name="my-match-done"),
    path(MINE + "ore/", selfservice.my_hours, name="my-hours"),
    path(MINE + "attestato.pdf", selfservice.my_certificate, name="my-certificate"),
    # Mutual aid: requests, matches, offers.
    path(AID, aid.request_list, name="request-list"),
    path(AID + "richieste/nuova/", aid.request_create, name="request-create"),
    path(REQUEST, aid.request_detail, name="request-detail"),
    path(REQUEST + "ritira/", aid.request_cancel, name="request-cancel"),
    path(REQUEST + "proponi/<uuid:offer_id>/", aid.match_propose, name="match-propose"),
    path(MATCH + "accetta/", aid.match_accept, name="match-accept"),
    path(MATCH + "annulla/", aid.match_cancel, name="match-cancel"),
    path(MATCH + "fatto/", aid.match_done, name="match-done"),
    path(AID + "offerte/", aid.offer_list, name="offer-list"),
    path(AID + "offerte/nuova/", aid.offer_create, name="offer-create"),
    path(AID + "offerte/<uuid:offer_id>/", aid.offer_edit, name="offer-edit"),
    # The time bank, micro-networks, members of citizen groups, figures.
    path(AID + "in-cifre/", timebank.figures, name="figures"),
    path(AID + "banca-del-tempo/", timebank.balances, name="balances"),
    path(AID + "microreti/", timebank.network_list, name="network-list"),
    path(NETWORK, timebank.network_detail, name="network-detail"),
    path(NETWORK + "famiglie/", timebank.network_add_household, name="network-add-household"),
    path(NETWORK + "cittadini/", timebank.network_add_citizen, name="network-add-citizen"),
    path(NETWORK + "membri/<uuid:member_id>/rimuovi/", timebank.network_member_remove, name="network-member-remove"),
    path(AID + "gruppi/", timebank.group_list, name="group-list"),
    path(GROUP, timebank.group_members, name="group-members"),
    path(GROUP + "membri/<uuid:member_id>/esce/", timebank.group_member_leave, name="group-member-leave"),
]
