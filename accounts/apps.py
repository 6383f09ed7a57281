from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from accounts.models import GrantPermission, InvitationStatus, LeaderboardVisibility, Role
        from common.vocabulary import vocabulary_register

        vocabulary_register("roles", Role.choices)
        vocabulary_register("grant_permissions", GrantPermission.choices)
        vocabulary_register("invitation_statuses", InvitationStatus.choices)
        vocabulary_register("leaderboard_visibilities", LeaderboardVisibility.choices)
