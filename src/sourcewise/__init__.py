"""Sourcewise: outsource work to freelancers without the classic mistakes."""

__version__ = "0.1.0"
