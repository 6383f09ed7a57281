from django.urls import path

from feedback.api.views import assessments

urlpatterns = [
    path("assessment-links/<str:link_token>/", assessments.AssessmentLinkPreviewView.as_view(),
         name="assessment-link-preview"),
    path("assessment-links/<str:link_token>/answer/", assessments.AssessmentLinkAnswerView.as_view(),
         name="assessment-link-answer"),
]
