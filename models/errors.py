"""Business refusal types, raised by activities as non-retryable ApplicationErrors.

    InvalidOrder         the order does not match the catalog (unknown or inactive SKU)
    PaymentDeclined      the gateway declined the payment method
    CarrierUnavailable   the carrier refused the booking (fallback to another carrier)
    AddressUndeliverable no carrier can deliver to the address

Anything else an activity raises is a transient fault and is retried by its policy.
"""

INVALID_ORDER = "InvalidOrder"
PAYMENT_DECLINED = "PaymentDeclined"
CARRIER_UNAVAILABLE = "CarrierUnavailable"
ADDRESS_UNDELIVERABLE = "AddressUndeliverable"
