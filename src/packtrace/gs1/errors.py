"""The one exception type of the GS1 package."""


class GS1Error(ValueError):
    """An identifier or value breaks a GS1 rule.

    The message is meant for a person: it says what is wrong and what the
    standard expects, e.g. "GTIN 01234512345900 has check digit 0, expected 1".
    """
