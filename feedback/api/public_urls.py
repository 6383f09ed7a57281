from django.urls import path

from feedback.api.views import assessments

urlpatterns = [
    path("assessment-links/<str:token>/", assessments.AssessmentLinkPreviewView.as_view(),
         name="assessment-link-preview"),
    path("assessment-links/<str:token>/answer/", assessments.AssessmentLinkAnswerView.as_view(),
         name="assessment-link-answer"),
]
