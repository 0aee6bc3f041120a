"""What every CSV Licence Manager writes has in common: text a spreadsheet would run as a
formula (a cell starting with =, +, -, @, a tab or a carriage return: "CSV injection") is
prefixed with an apostrophe, so a SKU name, an actor or a message shows as text in Excel and
LibreOffice. Quoting itself is the csv module's."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(text: str) -> str:
    """Text as a spreadsheet shows it, never as a formula it would run."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text
