"""Peer mentoring mechanisms: the checks on peer messages, matching, the desk actions use."""
