"""Tools for flow authors: scripted conversation tests."""
