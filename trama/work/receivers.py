"""What the work plan forgets when a person is pseudonymised (people.signals)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from trama.core.uploads import delete_after_commit
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
            delete_after_commit(profile.cv)
    ids = [profile.pk for profile in profiles]
    JobSeeker.objects.filter(pk__in=ids).update(cv="", **SCRUBBED)
    JobSeeker.history.filter(id__in=ids).update(**SCRUBBED)
