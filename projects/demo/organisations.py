"""Steps of the demonstration centre that bring in its people and organisations:
verified accounts, organisations of every kind with their members, memberships of
this year and last year, and agreements in every state.
"""

from __future__ import annotations

import datetime as dt

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile

from members.models import Membership, Organisation, OrganisationMember, User
from members.services import (
    agreement_approve,
    agreement_countersign,
    agreement_create,
    agreement_reject,
    agreement_submit,
    agreement_update_draft,
    agreement_upload_signed,
    agreements_expire,
    invitation_accept,
    invitation_create,
    membership_open,
    membership_record_payment,
    membership_waive,
    memberships_lapse,
    organisation_create,
)
from members.services.organisations import invitation_token
from members.validators import luhn_complete

from .people import ORGANISATIONS, PEOPLE_PASSWORD, email_of

#: Signatory's title by kind of organisation.
SIGNATORY_TITLES = {"sme": "Gérante", "lab": "Directeur du laboratoire",
                    "public_body": "Maire", "school": "Proviseure",
                    "association": "Président", "individual": "Membre individuel"}


def siret_for(index: int) -> str:
    """A made-up SIRET (14 digits; its SIREN and itself pass the Luhn check, as
    ``stdnum.fr.siret`` checks) distinct for each ``index`` below 10 million."""
    siren = luhn_complete(f"8{index:07d}")
    return luhn_complete(f"{siren}0001")


class OrganisationSteps:
    """The ``people`` and ``organisations_step`` steps of
    :class:`~projects.demo.centre.DemoCentre`.

    A mixin: it reads the centre's ``today``, ``year`` and ``_staff`` (the staff member,
    set by the catalogue step), fills its ``users`` (by email) and ``organisations``
    (by key of :data:`ORGANISATIONS`) and counts what it creates in ``result.created``.
    """

    def people(self) -> None:
        """Every person of :data:`ORGANISATIONS`, with a verified email (one password)."""
        wanted = {}
        for spec in ORGANISATIONS.values():
            for local, first, last, _role in spec["people"]:
                wanted[email_of(local)] = (first, last)
        existing = {user.email: user for user in User.objects.filter(email__in=list(wanted))}
        password = None
        for email, (first, last) in wanted.items():
            user = existing.get(email)
            if user is None:
                password = password or make_password(PEOPLE_PASSWORD)
                user = User.objects.create(email=email, first_name=first, last_name=last,
                                           password=password, language="fr")
                EmailAddress.objects.create(user=user, email=email, verified=True,
                                            primary=True)
                self.result.created["people"] += 1
            self.users[email] = user

    def organisations_step(self) -> None:
        """Organisations of every kind, their people, memberships and agreements."""
        for index, (key, spec) in enumerate(ORGANISATIONS.items(), 1):
            representative = self.users[email_of(spec["people"][0][0])]
            organisation = Organisation.objects.filter(name=spec["name"]).first()
            if organisation is None:
                organisation = organisation_create(actor=representative, data={
                    "kind": spec["kind"], "name": spec["name"],
                    "siret": siret_for(index) if spec["kind"] == "sme" else "",
                    "address": spec["address"], "postal_code": spec["postal_code"],
                    "city": spec["city"], "country": "France", "website": spec["website"],
                    "contact_email": representative.email, "language": "fr"})
                self.result.created["organisations"] += 1
            self.organisations[key] = organisation
            for local, _first, _last, role in spec["people"][1:]:
                self._join(organisation, representative, self.users[email_of(local)], role)
            self._memberships(organisation, spec["membership"], index)
            if spec["agreement"] and not organisation.agreements.exists():
                self._agreement(organisation, representative, spec)
        # Last year's memberships left unpaid lapse, as the daily task would do.
        memberships_lapse(today=self.today)

    def _join(self, organisation, representative, user, role) -> None:
        if OrganisationMember.objects.filter(organisation=organisation, user=user).exists():
            return
        invitation = invitation_create(organisation=organisation, email=user.email, role=role,
                                       actor=representative)
        invitation_accept(token=invitation_token(invitation), user=user)
        self.result.created["organisation members"] += 1

    def _memberships(self, organisation, states, index) -> None:
        this_year, last_year = states
        for year, state in ((self.year, this_year), (self.year - 1, last_year)):
            if state is None:
                continue
            membership = membership_open(organisation=organisation, year=year,
                                         actor=self._staff)
            if membership.status != Membership.Status.PENDING or state in ("pending",
                                                                          "lapsed"):
                continue
            if state == "paid":
                paid_on = min(self.today, dt.date(year, 1 + index % 3, 5 + index))
                membership_record_payment(membership=membership, paid_on=paid_on,
                                          reference=f"VIR-{year}-{index:04d}",
                                          actor=self._staff)
            elif state == "waived":
                membership_waive(membership=membership, actor=self._staff,
                                 note="Établissement scolaire partenaire : cotisation offerte.")
            self.result.created["memberships settled"] += 1

    def _agreement(self, organisation, representative, spec) -> None:
        state = spec["agreement"]
        staff = self._staff
        agreement = agreement_create(organisation=organisation, actor=representative)
        agreement = agreement_update_draft(agreement=agreement, actor=representative, data={
            "signatory_name": representative.get_full_name(),
            "signatory_title": SIGNATORY_TITLES[organisation.kind]})
        self.result.created["agreements"] += 1
        if state == "draft":
            return
        agreement = agreement_submit(agreement=agreement, actor=representative)
        if state == "submitted":
            return
        if state == "rejected":
            agreement_reject(agreement=agreement, actor=staff, reason=(
                "L'activité décrite relève d'un prestataire commercial, pas d'un accès au "
                "calcul : prenez contact avec nous pour en parler."))
            return
        agreement = agreement_approve(agreement=agreement, actor=staff)
        if state == "approved":
            return
        agreement.refresh_from_db()
        with agreement.pdf.open("rb") as handle:
            signed = SimpleUploadedFile("convention-signee.pdf", handle.read(),
                                        content_type="application/pdf")
        agreement = agreement_upload_signed(agreement=agreement, uploaded=signed,
                                            actor=representative)
        days = 420 if state == "expired" else spec.get("agreement_days", 100)
        agreement_countersign(agreement=agreement, actor=staff,
                              starts_on=self.today - dt.timedelta(days=days))
        if state == "expired":
            agreements_expire(today=self.today)
