"""Typed function views, one module per area: OKR pages, people and units, search."""
