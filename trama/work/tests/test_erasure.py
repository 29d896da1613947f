"""Pseudonymising a person scrubs their job-seeker profile: the record still counts, says nobody."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from trama.people.services import PSEUDONYMISE, person_erase
from trama.work.models import JobSeeker

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_scrubs_the_profile_and_deletes_the_cv_when_the_person_is_pseudonymised(work, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    seeker = work.anna
    seeker.cv.save("cv.pdf", ContentFile(b"%PDF-1.4 Anna Ferri, via Roma 1"), save=True)
    stored = seeker.cv.name
    assert seeker.cv.storage.exists(stored)

    person_erase(actor=work.coordinator, person=seeker.person, mode=PSEUDONYMISE, reason="richiesta dell'interessata")

    seeker = JobSeeker.objects.get(pk=seeker.pk)
    assert (seeker.skills, seeker.experience, seeker.constraints, seeker.languages) == ("", "", "", "")
    assert not seeker.cv
    assert not seeker.cv.storage.exists(stored)
    assert seeker.status  # still counted by the work plan's indicators
    assert not JobSeeker.history.filter(id=seeker.pk).exclude(skills="").exists()
