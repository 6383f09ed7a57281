from django.urls import path

from accounts.api import onboarding_views as views

urlpatterns = [
    path("tenants/", views.TenantViewSet.as_view({"get": "list", "post": "create"}), name="tenant-list"),
    path("invitations/<str:token>/", views.InvitationPreviewView.as_view(), name="invitation-preview"),
    path("invitations/<str:token>/accept/", views.InvitationAcceptView.as_view(), name="invitation-accept"),
]
