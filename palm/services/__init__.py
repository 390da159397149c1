"""Domain services: each takes a Session and never commits."""
