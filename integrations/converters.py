"""Path converters for the ids and numbers in the shop's URLs.

A URL part that cannot be what it names does not match, so the visitor gets a 404: no
id larger than a 64-bit integer reaches 7digital or a database query (where it would
overflow), and no byte PostgreSQL refuses (NUL) reaches an order lookup.
"""

from __future__ import annotations

from django.urls import register_converter

from integrations.sevendigital import ID_MAX


class IdConverter:
    """A positive whole number that fits 7digital's and the database's 64-bit ids."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 0 < number <= ID_MAX:
            raise ValueError(f"{value} is not an id")
        return number

    def to_url(self, value: int) -> str:
        return str(value)


class OrderNumberConverter:
    """An order number as ``order_number_new`` makes them (letters and digits)."""

    regex = "[0-9A-Za-z]{1,20}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(IdConverter, "id")
register_converter(OrderNumberConverter, "order_number")
