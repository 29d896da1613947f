"""The reads of volunteering and mutual aid, one module per area; every one is scoped by what the
user may see (`trama.mutualaid.permissions`) and costs a fixed number of queries."""
