"""Slot service: offices, visit types, capacity, holds and bookings over HTTP (FastAPI)."""
