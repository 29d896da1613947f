"""Writes about pacts, one module per side of the ledger:

- `pacts` — drafting, versions and signature, starting and closing;
- `money` — disbursements against budget lines (the community's side);
- `giving_back` — hours given back and their confirmation (the beneficiary's side);
- `reviews` — periodic reviews, immutable snapshots.

Every function is keyword-only and atomic, checks inside that the actor may make the change, and
writes its audit row in the same transaction (S10). `actor=None` is the system (the demo loader).
"""
