"""The HTTP gateway: storefronts, carriers and the WMS reach the order workflows here.

Started by `starter.py up` on `--http-port` (default 8000 or OMS_HTTP_PORT), or alone
with `python -m api` against TEMPORAL_ADDRESS and OMS_DATABASE_URL. OpenAPI at
`/openapi.json` (browsable at `/docs`). Every refusal is a 4xx whose body is
`{"detail": "<field>: <problem>", "errors": [{"field", "message"}]}`.

    POST /orders                  the order document -> 202 {order_id, workflow_id, status}
                                  (started); 200 with the same answer for an order_id
                                  already placed (no second workflow); 422 naming the
                                  field, incl. an unknown SKU as lines[i].sku
    GET  /orders/{order_id}       the `status` query (the order view); 404 unknown
    POST /orders/{order_id}/cancel  {"reason"} -> the `request_cancel` update: 200
                                  {accepted, status, message}; 409 with the validator's
                                  reason; 404 unknown
    GET  /orders?status=&customer_id=&sla_breached=&limit=
                                  a visibility query over the search attributes; rows of
                                  {order_id, workflow_id, status, customer_id, priority, ...}
    GET  /inventory/{sku}         stock rows per warehouse; 404 unknown SKU
    POST /webhooks/carriers/{carrier}  a tracking event -> `carrier_event` to the parcel's
                                  workflow (shipments table): 200 {accepted, duplicate,
                                  order_id, workflow_id}; 404 unknown tracking number;
                                  409 the parcel's workflow has closed
    POST /webhooks/wms            a warehouse event -> WarehouseEventWorkflow `wms-{event_id}`
                                  (once per event id): 200 its result; 409 refused by the
                                  stock rules; 422 unknown sku/warehouse_id
    GET  /healthz                 200 when Temporal and the database answer, else 503

Webhooks carry `X-OMS-Signature: sha256=<hex HMAC-SHA256 of the raw body>` keyed with
OMS_WEBHOOK_SECRET (a dev default; set it in any deployment); a missing or wrong
signature is 401 before the body is parsed. For example:

    body='{"event_id":"e1","type":"inbound","warehouse_id":"WH-SH","sku":"TEA-001","quantity":5}'
    sig=$(printf %s "$body" | openssl dgst -sha256 -hmac "$OMS_WEBHOOK_SECRET" -r | cut -d' ' -f1)
    curl -X POST localhost:8000/webhooks/wms -H "X-OMS-Signature: sha256=$sig" \\
         -H 'content-type: application/json' -d "$body"

Settings (environment): OMS_HTTP_HOST (127.0.0.1), OMS_HTTP_PORT (8000),
OMS_WEBHOOK_SECRET, OMS_GATEWAY_WAIT_S (30: how long a WMS event may take before 504);
Temporal and database settings as for the worker (workers/settings.py).
"""
