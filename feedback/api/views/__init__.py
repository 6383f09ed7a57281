"""Views of the QA API, one module per area (rubrics, reviews, sampling, calibration)."""
