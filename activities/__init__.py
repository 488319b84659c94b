"""The adapter layer: all I/O. One class of activities per area, dependencies injected.

    db              engines for any SQLAlchemy URL (SQLite tuned for concurrent writers)
    tables          the sqlmodel tables; only this layer imports them
    catalog         seeding, catalog checks, stock snapshots (CatalogActivities)
    stock           reservations, releases, shipments against a ledger (StockActivities)
    ledger          inventory listing and reconciliation of counters against the ledger
    payment_gateway the sandbox payment provider; payment wraps it (PaymentActivities)
    carrier_sim     the simulated carrier; carrier wraps it (CarrierActivities)
    simulator       CarrierSimulator, which emits tracking events to workflows
    records         the order read model, audit trail and outbox (OrderRecordActivities)

Nothing here connects at import time.
"""
