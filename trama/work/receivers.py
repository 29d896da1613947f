"""What the work plan forgets when a person is pseudonymised (people.signals)."""

from __future__ import annotations

import contextlib
from typing import Any

from django.db import transaction
from django.dispatch import receiver

from trama.people.models import Person
from trama.people.signals import person_pseudonymised
from trama.work.models import JobSeeker

# The profile's free text says who the person is; the structured fields (education, hours,
# licence, distance) stay, counted without a name.
SCRUBBED = {
    "skills": "",
    "qualifications": "",
    "experience": "",
    "languages": "",
    "shifts": "",
    "constraints": "",
    "desired_sectors": "",
}


@receiver(person_pseudonymised, dispatch_uid="work-forget-job-seeker")
def forget_job_seeker(sender: Any, person: Person, **kwargs: Any) -> None:
    profiles = list(JobSeeker.objects.filter(person=person))
    for profile in profiles:
        if profile.cv:
            name, storage = profile.cv.name, profile.cv.storage
            # The file goes after the commit: a rolled-back erasure keeps it.
            transaction.on_commit(lambda storage=storage, name=name: _quiet_delete(storage, name))
    ids = [profile.pk for profile in profiles]
    JobSeeker.objects.filter(pk__in=ids).update(cv="", **SCRUBBED)
    JobSeeker.history.filter(id__in=ids).update(**SCRUBBED)


def _quiet_delete(storage: Any, name: str) -> None:
    with contextlib.suppress(OSError):
        storage.delete(name)
