"""The tickets half of the services app: intake, the ticket life, SLA and escalation, Open311, webhooks, stats."""
