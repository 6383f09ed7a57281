"""Tenant webhooks: signed event deliveries sent by Celery after commit. Other apps call `webhook_emit`."""
