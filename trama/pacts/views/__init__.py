"""The pacts' pages: one module per area (the pact and its versions, money, giving back, reviews,
the programme view). Thin function views: access → form → service → redirect or render."""
