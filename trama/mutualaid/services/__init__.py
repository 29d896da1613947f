"""The writes of volunteering and mutual aid, one module per area: volunteers, shifts and hours,
requests/offers/matches (`aid`), and the time bank."""
