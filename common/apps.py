from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = "Common"

    def ready(self):
        from common.models import DeliveryStatus
        from common.vocabulary import vocabulary_register

        vocabulary_register("webhook_delivery_statuses", DeliveryStatus.choices)
