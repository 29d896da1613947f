"""Signals of the people app, for apps that hold more about a person than people itself does."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the transaction that pseudonymises a person (people.services.person_erase), with
# `person`: receivers scrub what their app keeps about them (free text, files) so that the
# pseudonymised record still counts but no longer says who it was (S13).
person_pseudonymised = Signal()
