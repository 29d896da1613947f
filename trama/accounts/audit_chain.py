"""A checksum chain over the append-only audit trail (S11, S26).

Each row's immutable fields are hashed together with the digest of the row before it, in id
order, so the final digest stands for every row up to that id: a backup records it in its
manifest, and a restore proves that no audit row was altered, removed or slipped in between.
Rows appended after the backup (the erasure replay writes some) extend the chain and do not
disturb the proof, since verification stops at the last id the backup knew.

The encoding is the same on SQLite and PostgreSQL (UUIDs as text, times in UTC to the
microsecond), so a backup taken on one engine verifies on the other.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from trama.accounts.models import AuditEvent

# Changing the fields or their encoding changes every digest: bump the version with them.
CHAIN_VERSION = "trama-audit-chain-v1"
CHAIN_FIELDS = (
    "id",
    "public_id",
    "created_at",
    "actor_id",
    "actor_label",
    "programme_id",
    "organisation_id",
    "role",
    "action",
    "target_type",
    "target_id",
    "outcome",
    "reason",
    "ip_address",
)


@dataclass(frozen=True)
class ChainState:
    """How many rows, up to which id, and the digest of the chain over them."""

    count: int
    last_id: int
    digest: str

    def as_dict(self) -> dict[str, Any]:
        return {"version": CHAIN_VERSION, "count": self.count, "last_id": self.last_id, "digest": self.digest}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ChainState:
        if data.get("version") != CHAIN_VERSION:
            raise ValueError(f"unknown audit chain version {data.get('version')!r}")
        return cls(count=int(data["count"]), last_id=int(data["last_id"]), digest=str(data["digest"]))


@dataclass(frozen=True)
class ChainCheck:
    expected: ChainState
    found: ChainState
    rows_after: int  # rows appended after the backup's last id (allowed)

    @property
    def ok(self) -> bool:
        return self.found == self.expected

    @property
    def problem(self) -> str:
        if self.ok:
            return ""
        if self.found.count != self.expected.count:
            return (
                f"{self.expected.count} audit rows expected up to id {self.expected.last_id}, {self.found.count} found"
            )
        return "an audit row was altered: the digest differs"


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if value is None or isinstance(value, int | str):
        return value
    return str(value)  # UUIDs


def row_digest(previous: str, row: tuple[Any, ...]) -> str:
    payload = json.dumps([_canonical(value) for value in row], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{previous}\n{payload}".encode()).hexdigest()


def audit_chain(*, using: str = "default", up_to_id: int | None = None) -> ChainState:
    """The chain over every audit row (or those with id ≤ `up_to_id`), in id order."""
    rows = AuditEvent.objects.using(using).order_by("id")
    if up_to_id is not None:
        rows = rows.filter(id__lte=up_to_id)
    digest, count, last_id = hashlib.sha256(CHAIN_VERSION.encode()).hexdigest(), 0, 0
    for row in rows.values_list(*CHAIN_FIELDS).iterator(chunk_size=2000):
        digest = row_digest(digest, row)
        count += 1
        last_id = row[0]
    return ChainState(count=count, last_id=last_id, digest=digest)


def verify_audit_chain(expected: ChainState, *, using: str = "default") -> ChainCheck:
    """Recompute the chain up to the backup's last id and compare it with `expected`."""
    found = audit_chain(using=using, up_to_id=expected.last_id)
    rows_after = AuditEvent.objects.using(using).filter(id__gt=expected.last_id).count()
    return ChainCheck(expected=expected, found=found, rows_after=rows_after)
