from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = "Common"

    def ready(self):
        from common.db.policies import policies_apply
        from common.models import DeliveryStatus
        from common.vocabulary import vocabulary_register

        vocabulary_register("webhook_delivery_statuses", DeliveryStatus.choices)
        # After every migrate (all apps' tables exist by then): row-level security on every tenant table.
        post_migrate.connect(policies_apply, sender=self, dispatch_uid="common.db.policies")


