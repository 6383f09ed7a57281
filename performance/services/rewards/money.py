"""Money in the tenant's currency: Decimal, rounded half-up to the currency's minor unit (ISO 4217 exponent)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

# ISO 4217 minor units that differ from 2 (pycountry has no exponents). Every other code has 2 (CNY, EUR, USD...).
EXPONENT_EXCEPTIONS = {
    **dict.fromkeys(["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND",
                     "VUV", "XAF", "XOF", "XPF"], 0),
    **dict.fromkeys(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"], 3),
    **dict.fromkeys(["CLF", "UYW"], 4),
}


def currency_exponent(currency: str) -> int:
    return EXPONENT_EXCEPTIONS.get(currency, 2)


def minor_unit(currency: str) -> Decimal:
    return Decimal(1).scaleb(-currency_exponent(currency))


def money_round(value: Decimal, currency: str) -> Decimal:
    """Half-up to the currency's minor unit: CNY 2 places, JPY 0, KWD 3."""
    return Decimal(value).quantize(minor_unit(currency), ROUND_HALF_UP)


def money_str(value: Decimal | None, currency: str) -> str | None:
    return None if value is None else str(money_round(value, currency))
