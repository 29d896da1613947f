"""Reads of the budget (`budget`) and of fundraising and communication (`fundraising`)."""
