"""Palmline: a palm-reading studio (for entertainment)."""
