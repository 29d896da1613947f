"""The columns of each list's download (trama/exchange/listexport.py), one tuple a list: the same
facts the list page shows, never more. Columns with names or contacts are `personal` (left out
for evaluators). Each tuple reads only what its list's selector already joins or prefetches, so
a download costs the same few queries as the page."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from trama.exchange.listexport import Column, attr, display


def _leads(case: Any) -> str:
    return ", ".join(member.user.full_name for member in getattr(case, "leads", []))


def _referral_target(referral: Any) -> str:
    kind = referral.target_kind
    if kind == "place":
        return f"{referral.target_place.name} ({referral.target_place.managing_organisation.name})"
    if kind == "group":
        return referral.target_group.name
    if kind == "organisation":
        return referral.target_organisation.name
    return referral.external_service


def _person_name(row: Any) -> str:
    return f"{row.person.first_name} {row.person.last_name}"


def _age_band(referral: Any) -> str:
    from trama.casework.selectors.delivery import age_band

    return str(age_band(referral.person))


CASES = (
    Column(_("Identifier"), attr("public_id")),
    Column(_("Household"), attr("household.label"), personal=True),
    Column(_("Municipality"), attr("household.municipality.name")),
    Column(_("Phase"), display("phase")),
    Column(_("Status"), display("status")),
    Column(_("Outcome"), display("outcome")),
    Column(_("Organisation in charge"), attr("organisation.name")),
    Column(_("Action line"), attr("action_line.name")),
    Column(_("Case lead"), _leads, personal=True),
    Column(_("Opened on"), attr("opened_on")),
    Column(_("Closed on"), attr("closed_on")),
)

PATHWAYS = (
    Column(_("Identifier"), attr("public_id")),
    Column(_("Title"), attr("title")),
    Column(_("Kind"), display("kind")),
    Column(_("Organisation"), attr("organisation.name")),
    Column(_("Place"), attr("place.name")),
    Column(_("Start"), attr("start_date")),
    Column(_("End"), attr("end_date")),
    Column(_("Status"), display("status")),
)

REFERRALS_RECEIVED = (
    Column(_("Identifier"), attr("public_id")),
    Column(_("Date"), attr("created_at")),
    Column(_("Person"), _person_name, personal=True),
    Column(_("Age"), _age_band),
    Column(_("What for"), attr("service")),
    Column(_("Referred to"), _referral_target),
    Column(_("Sent by"), attr("from_organisation.name")),
    Column(_("Status"), display("status")),
)

REFERRALS_SENT = (
    Column(_("Identifier"), attr("public_id")),
    Column(_("Date"), attr("created_at")),
    Column(_("Household"), attr("case.household.label"), personal=True),
    Column(_("Person"), _person_name, personal=True),
    Column(_("Referred to"), _referral_target),
    Column(_("What for"), attr("service")),
    Column(_("Status"), display("status")),
)


def _households(person: Any) -> str:
    return ", ".join(member.household.label for member in getattr(person, "visible_memberships", []))


PEOPLE = (
    Column(_("Identifier"), attr("public_id")),
    Column(_("First name"), attr("first_name"), personal=True),
    Column(_("Last name"), attr("last_name"), personal=True),
    Column(_("Date of birth"), attr("birth_date"), personal=True),
    Column(_("Gender"), display("gender")),
    Column(_("Codice fiscale"), attr("tax_code"), personal=True),
    Column(_("Municipality of residence"), attr("municipality.name")),
    Column(_("Households"), _households, personal=True),
)

PARTNERSHIPS = (
    Column(_("Identifier"), attr("organisation.public_id")),
    Column(_("Organisation"), attr("organisation.name")),
    Column(_("Kind"), lambda row: str(row.organisation.get_kind_display())),
    Column(_("Role in the programme"), display("role")),
    Column(_("From"), attr("start_date")),
    Column(_("Until"), attr("end_date")),
    Column(_("Codice fiscale"), attr("organisation.tax_code")),
    Column(_("Partita IVA"), attr("organisation.vat_number")),
    Column(_("E-mail"), attr("organisation.email")),
    Column(_("Telephone"), attr("organisation.phone")),
    Column(_("Website"), attr("organisation.website")),
)

PLACES = (
    Column(_("Identifier"), attr("public_id")),
    Column(_("Name"), attr("name")),
    Column(_("Kind"), display("kind")),
    Column(_("Managing organisation"), attr("managing_organisation.name")),
    Column(_("Address"), attr("address")),
    Column(_("Postcode"), attr("postal_code")),
    Column(_("Municipality"), attr("municipality.name")),
    Column(_("Latitude"), attr("latitude")),
    Column(_("Longitude"), attr("longitude")),
)

GROUPS = (
    Column(_("Identifier"), attr("public_id")),
    Column(_("Name"), attr("name")),
    Column(_("Neighbourhood"), attr("neighbourhood")),
    Column(_("Municipality"), attr("municipality.name")),
    Column(_("Public contact"), attr("public_contact")),
)


def _venue(activity: Any) -> str:
    return activity.place.name if activity.place_id else activity.venue


ACTIVITIES = (
    Column(_("Identifier"), attr("public_id")),
    Column(_("Title"), attr("title")),
    Column(_("Kind"), display("kind")),
    Column(_("Status"), display("status")),
    Column(_("Place"), _venue),
    Column(_("Municipality"), attr("municipality.name")),
    Column(_("Next date"), attr("next_start")),
    Column(_("Registered"), attr("registered")),
    Column(_("Capacity"), attr("capacity")),
    Column(_("Waiting"), attr("waiting")),
    Column(_("Public"), lambda activity: str(_("yes") if activity.is_public else _("no"))),
)

VOLUNTEERS = (
    Column(_("Identifier"), attr("public_id")),
    Column(_("Last name"), attr("person.last_name"), personal=True),
    Column(_("First name"), attr("person.first_name"), personal=True),
    Column(_("Status"), display("status")),
    Column(_("Organisation"), attr("organisation.name")),
    Column(_("Place"), attr("place.name")),
    Column(_("Can help with"), lambda volunteer: ", ".join(str(label) for label in volunteer.skill_labels)),
    Column(_("Applied on"), attr("applied_on")),
    Column(_("Volunteer since"), attr("approved_on")),
)

SHIFTS = (
    Column(_("Identifier"), attr("public_id")),
    Column(_("When"), attr("occurrence.starts_at")),
    Column(_("Activity"), attr("occurrence.activity.title")),
    Column(_("Place"), attr("occurrence.activity.place.name")),
    Column(_("Task"), attr("task")),
    Column(_("Volunteers"), attr("taken")),
    Column(_("Places"), attr("slots")),
)


def _pact_text(pact: Any) -> Any:
    return pact.version_in_force or pact.latest_version


PACTS = (
    Column(_("Identifier"), attr("public_id")),
    Column(_("Beneficiary"), lambda pact: f"{pact.person.first_name} {pact.person.last_name}", personal=True),
    Column(_("Household"), attr("case.household.label"), personal=True),
    Column(_("Status"), display("status")),
    Column(_("Start"), lambda pact: _pact_text(pact).start_date if _pact_text(pact) else None),
    Column(_("End"), lambda pact: _pact_text(pact).end_date if _pact_text(pact) else None),
    Column(_("Budget signed"), attr("budget")),
    Column(_("Disbursed"), attr("spent")),
    Column(_("Hours given back"), attr("hours_given")),
    Column(_("Hours signed"), attr("hours_signed")),
)

COURSES = (
    Column(_("Identifier"), attr("public_id")),
    Column(_("Course"), attr("title")),
    Column(_("For"), display("audience")),
    Column(_("From"), attr("first_session")),
    Column(_("Next session"), attr("next_session")),
    Column(_("Course sessions"), attr("session_count")),
    Column(_("Enrolled"), lambda course: course.enrolled or 0),
    Column(_("Certificates"), attr("certificate_count")),
)

MEETINGS = (
    Column(_("Identifier"), attr("public_id")),
    Column(_("When"), attr("starts_at")),
    Column(_("Meeting"), attr("title")),
    Column(_("Body"), attr("body.name")),
    Column(_("Status"), display("status")),
    Column(_("Public"), lambda meeting: str(_("yes") if meeting.is_public else _("no"))),
    Column(_("Participants"), attr("participants")),
    Column(_("Decisions"), attr("decision_count")),
)

DECISIONS = (
    Column(_("Identifier"), attr("public_id")),
    Column(_("What was decided"), attr("title")),
    Column(_("Body"), attr("meeting.body.name")),
    Column(_("Meeting"), attr("meeting.starts_at")),
    Column(_("In charge"), attr("responsible_organisation.name")),
    Column(_("Action line"), attr("action_line.name")),
    Column(_("Indicator"), attr("indicator_code")),
    Column(_("Due by"), attr("due_on")),
    Column(_("Status"), display("status")),
)

CAMPAIGNS = (
    Column(_("Identifier"), attr("public_id")),
    Column(_("Campaign"), attr("title")),
    Column(_("Channel"), display("channel")),
    Column(_("From"), attr("starts_on")),
    Column(_("Until"), attr("ends_on")),
    Column(_("Goal (€)"), attr("goal")),
    Column(_("Raised (€)"), attr("raised")),
    Column(_("Gifts"), attr("gifts")),
    Column(_("Public"), lambda campaign: str(_("yes") if campaign.is_public else _("no"))),
)

EXPENSES = (
    Column(_("Identifier"), attr("public_id")),
    Column(_("Date"), attr("incurred_on")),
    Column(_("Description"), attr("description")),
    Column(_("Supplier"), attr("supplier")),
    Column(_("Budget line"), attr("line.title")),
    Column(_("Funding source"), attr("line.source.name")),
    Column(_("Amount (€)"), attr("amount")),
    Column(_("Status"), display("status")),
)


def _yes_no(value: Any) -> str:
    return str(_("yes") if value else _("no"))


INTAKE = (
    Column(_("Identifier"), attr("public_id")),
    Column(_("Received"), attr("created_at")),
    Column(_("Channel"), display("channel")),
    Column(_("Name"), attr("contact_name"), personal=True),
    Column(_("Municipality"), attr("municipality.name")),
    Column(_("Minors"), lambda intake: _yes_no(intake.has_minors)),
    Column(_("Signalled by"), attr("submitted_for.name")),
    Column(_("Signalled by (person)"), attr("submitted_by.full_name"), personal=True),
    Column(_("Status"), display("status")),
)


def _consent(donor: Any) -> str:
    if donor.may_be_contacted():
        return str(_("yes"))
    return str(_("consent withdrawn") if donor.contact_consent_withdrawn_on else _("no"))


DONORS = (
    Column(_("Identifier"), attr("public_id")),
    Column(_("Donor"), attr("name"), personal=True),
    Column(_("Kind"), display("kind")),
    Column(_("Given (€)"), attr("given")),
    Column(_("Gifts"), attr("gifts")),
    Column(_("Last gift"), attr("last_gift")),
    Column(_("May be contacted"), _consent),
)

NEWS = (
    Column(_("Identifier"), attr("public_id")),
    Column(_("Title"), attr("title")),
    Column(_("Status"), display("status")),
    Column(_("Published at"), attr("published_at")),
    Column(_("Campaign"), attr("campaign.title")),
)

REALLOCATIONS = (
    Column(_("Identifier"), attr("public_id")),
    Column(_("When"), attr("created_at")),
    Column(_("From line"), attr("from_line.title")),
    Column(_("To line"), attr("to_line.title")),
    Column(_("Amount (€)"), attr("amount")),
    Column(_("Reason"), attr("reason")),
)
# Who recorded a move: shown to coordinators only, as on the page.
REALLOCATIONS_WITH_RECORDER = (*REALLOCATIONS, Column(_("Recorded by"), attr("recorded_by.full_name"), personal=True))


def _requester(request: Any) -> str:
    if request.requester_household_id:
        return request.requester_household.label
    if request.requester_person_id:
        return str(request.requester_person)
    return request.requester_group.name if request.requester_group_id else ""


AID_REQUESTS = (
    Column(_("Identifier"), attr("public_id")),
    Column(_("When"), attr("starts_at")),
    Column(_("Kind of help"), display("category")),
    Column(_("Summary"), attr("summary")),
    Column(_("Who asks"), _requester, personal=True),
    Column(_("Where"), attr("municipality.name")),
    Column(_("Urgency"), display("urgency")),
    Column(_("Status"), display("status")),
    Column(_("Proposals"), attr("live_matches")),
)

AID_OFFERS = (
    Column(_("Identifier"), attr("public_id")),
    Column(_("Who offers"), attr("offerer_name"), personal=True),
    Column(_("Kind of help"), display("category")),
    Column(_("Description"), attr("description")),
    Column(_("Where"), attr("municipality.name")),
    Column(_("Up to (km)"), attr("max_distance_km")),
    Column(_("Languages"), lambda offer: ", ".join(str(label) for label in offer.language_labels)),
    Column(_("Exchanges completed"), attr("done_count")),
    Column(_("Exchanges dropped"), attr("failed_count")),
    Column(_("Active"), lambda offer: _yes_no(offer.is_active)),
    Column(_("Away from"), attr("away_from")),
    Column(_("Away until"), attr("away_until")),
)


def _account_holder(account: Any) -> str:
    if account.household_id:
        return account.household.label
    if account.person_id:
        return str(account.person)
    return account.group.name if account.group_id else ""


BALANCES = (
    Column(_("Identifier"), attr("public_id")),
    Column(_("Account"), _account_holder, personal=True),
    Column(_("Hours given"), attr("given")),
    Column(_("Hours received"), attr("received")),
    Column(_("Balance"), attr("balance")),
)

HOURS_TO_CONFIRM = (
    Column(_("Identifier"), attr("public_id")),
    Column(_("Volunteer"), lambda log: str(log.volunteer.person), personal=True),
    Column(_("Day"), attr("date")),
    Column(_("Hours"), attr("hours")),
    Column(_("What"), attr("description")),
)

# Rows are (participant, training hours) pairs: the hours come from `training.selectors.hours_of`.
PARTICIPANTS = (
    Column(_("Identifier"), lambda row: row[0].public_id),
    Column(_("Person"), lambda row: str(row[0]), personal=True),
    Column(_("Organisation"), lambda row: row[0].organisation.name if row[0].organisation_id else ""),
    Column(_("Profile"), lambda row: str(row[0].get_profile_display())),
    Column(_("Role"), lambda row: row[0].job_title),
    Column(_("Courses"), lambda row: row[0].course_count or 0),
    Column(_("Hours"), lambda row: row[1] or 0),
    Column(_("Certificates"), lambda row: row[0].certificate_count),
)

GIVING_BACK = (
    Column(_("Identifier"), attr("public_id")),
    Column(_("Person"), lambda c: f"{c.pact.person.first_name} {c.pact.person.last_name}", personal=True),
    Column(_("What"), attr("description")),
    Column(_("Where"), lambda c: str(c.where) if c.where else ""),
    Column(_("Hours given"), attr("given")),
    Column(_("Hours committed"), attr("signed_hours")),
    Column(_("Hours to confirm"), attr("pending")),
)

JOB_SEEKERS = (
    Column(_("Identifier"), attr("public_id")),
    Column(_("Last name"), attr("person.last_name"), personal=True),
    Column(_("First name"), attr("person.first_name"), personal=True),
    Column(_("Household"), attr("case.household.label"), personal=True),
    Column(_("Lives in"), attr("municipality.name")),
    Column(_("Status"), display("status")),
    Column(_("Placements"), attr("placement_count")),
    Column(_("Since"), attr("started_on")),
)


def _company(opening: Any) -> str:
    return opening.company.name if opening.company_id else opening.company_name


JOB_OPENINGS = (
    Column(_("Identifier"), attr("public_id")),
    Column(_("Role"), attr("title")),
    Column(_("Company"), _company),
    Column(_("Sector"), display("sector")),
    Column(_("Contract"), display("contract")),
    Column(_("Hours per week"), attr("hours_per_week")),
    Column(_("Where"), attr("municipality.name")),
    Column(_("Start"), attr("starts_on")),
    Column(_("Status"), display("status")),
    Column(_("Candidates"), attr("placement_count")),
)

PLACEMENTS = (
    Column(_("Identifier"), attr("public_id")),
    Column(_("Candidate"), lambda placement: str(placement.job_seeker), personal=True),
    Column(_("Role"), attr("opening.title")),
    Column(_("Company"), lambda placement: _company(placement.opening)),
    Column(_("Status"), display("status")),
    Column(_("Proposed on"), attr("proposed_on")),
)

# The housing lists are for the plan's staff only (coordinators and operators), who see private
# owners' contacts on the dwelling's page too.
DWELLINGS = (
    Column(_("Identifier"), attr("public_id")),
    Column(_("Address"), attr("address")),
    Column(_("Municipality"), attr("municipality.name")),
    Column(_("Rooms"), attr("rooms")),
    Column(_("m²"), attr("area_m2")),
    Column(_("Monthly rent (€)"), attr("monthly_rent")),
    Column(_("Capped rent"), lambda dwelling: _yes_no(dwelling.capped_rent)),
    Column(_("Step-free access"), lambda dwelling: _yes_no(dwelling.step_free)),
    Column(_("Offered by"), attr("organisation.name")),
    Column(_("Private owner"), attr("owner_name"), personal=True),
    Column(_("Owner's telephone"), attr("owner_phone"), personal=True),
    Column(_("Owner's e-mail"), attr("owner_email"), personal=True),
    Column(_("Available from"), attr("available_from")),
    Column(_("Status"), display("status")),
)

HOUSING_SEARCHES = (
    Column(_("Identifier"), attr("public_id")),
    Column(_("Household"), attr("household.label"), personal=True),
    Column(_("Lives in"), attr("household.municipality.name")),
    Column(_("Rooms needed"), attr("rooms_needed")),
    Column(_("Needs step-free access"), lambda search: _yes_no(search.needs_step_free)),
    Column(_("Highest rent (€)"), attr("max_rent")),
    Column(_("Needed from"), attr("needed_from")),
    Column(_("Status"), display("status")),
)

COHOUSINGS = (
    Column(_("Identifier"), attr("public_id")),
    Column(_("Name"), attr("title")),
    Column(_("Dwelling"), attr("dwelling.address")),
    Column(_("Municipality"), attr("dwelling.municipality.name")),
    Column(_("Households"), attr("households")),
    Column(_("From"), attr("starts_on")),
    Column(_("Until"), attr("ends_on")),
)

BUILDINGS = (
    Column(_("Identifier"), attr("public_id")),
    Column(_("Name"), attr("name")),
    Column(_("Kind"), display("kind")),
    Column(_("Address"), attr("address")),
    Column(_("Municipality"), attr("municipality.name")),
    Column(_("Open issues"), attr("open_issues")),
    Column(_("Last entry"), attr("last_entry")),
)
