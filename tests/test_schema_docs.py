"""What the OpenAPI schema tells API users: tags, descriptions, error statuses, nullability, arrays, strict bodies."""

import pytest
from django.conf import settings
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.plumbing import get_doc

TENANT = "/api/v1/tenants/{tenant_slug}/"
PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_operations_are_grouped_by_resource(schema):
    declared = [tag["name"] for tag in settings.SPECTACULAR_SETTINGS["TAGS"]]
    used = {}
    for path, method, operation in operations(schema):
        assert len(operation["tags"]) == 1, (method, path)
        used.setdefault(operation["tags"][0], []).append(path)
    assert not [path for path in used.get("tenants", []) if path.startswith(TENANT)]
    undescribed = set(used) - set(declared)
    assert not undescribed, f"Describe these resources for API users in common/schema_tags.py: {undescribed}"
    assert {"members", "teams", "agents", "interactions", "shifts", "schemes", "periods", "scores", "jobs",
            "rubrics", "qa-reviews", "qa-assignments", "calibrations", "auth", "me"} <= set(used)
    assert f"{TENANT}periods/{{period_pk}}/scores/" in used["scores"]
    assert f"{TENANT}schemes/{{scheme_pk}}/versions/" in used["schemes"]
    assert max(len(paths) for paths in used.values()) <= 12


def test_no_maintainer_docstring_reaches_the_schema(schema):
    generator = SchemaGenerator()
    generator.get_schema(request=None, public=True)
    class_docs = {get_doc(callback.cls) for *_, callback in generator.endpoints} - {""}
    assert any("For routes nested" in doc for doc in class_docs)  # the maintainers' docs this test keeps out
    for path, method, operation in operations(schema):
        assert operation.get("description", "") not in class_docs, (method, path)
        assert "For routes nested" not in operation.get("description", "")


def test_every_operation_documents_its_errors_as_problem_details(schema):
    for path, method, operation in operations(schema):
        responses = operation["responses"]
        expected = {"401"}
        if path.startswith(TENANT):
            expected |= {"403", "404"}
        if "requestBody" in operation:
            expected |= {"400", "415"}
        if path.startswith(TENANT) and method == "post":
            expected |= {"409", "422"}
        if path.startswith(TENANT) and method in ("put", "patch", "delete"):
            expected.add("412")
        assert expected <= set(responses), (method, path, expected - set(responses))
        for code, response in responses.items():
            if code >= "400":
                assert response["content"] == PROBLEM, (method, path, code)
                assert response["description"], (method, path, code)
    assert "429" in schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]
    patch = schema["paths"][f"{TENANT}teams/{{id}}/"]["patch"]
    assert "If-Match" in {p["name"] for p in patch["parameters"] if p["in"] == "header"}


def test_fields_that_come_back_null_are_nullable(schema):
    components = schema["components"]["schemas"]
    for component, field in [("AuditEvent", "actor_user"), ("AuditEvent", "actor_api_key"),
                             ("Grant", "granted_by"), ("APIKey", "created_by"), ("Me", "id"), ("Me", "email"),
                             ("Score", "total"), ("Score", "adjusted_total")]:
        assert components[component]["properties"][field].get("nullable") is True, (component, field)
    assert not components["Grant"]["properties"]["id"].get("nullable")


def test_plain_arrays_are_documented_as_arrays(schema):
    for path, method, status in [(f"{TENANT}agents/bulk/", "post", "201"),
                                 (f"{TENANT}qa-reviews/{{id}}/revisions/", "get", "200")]:
        operation = schema["paths"][path][method]
        assert operation["responses"][status]["content"]["application/json"]["schema"]["type"] == "array"
        assert not [p for p in operation.get("parameters", []) if p["in"] == "query"], path


def test_request_bodies_refuse_unknown_fields(schema):
    requests = {name: c for name, c in schema["components"]["schemas"].items() if name.endswith("Request")}
    assert len(requests) > 20
    for name, component in requests.items():
        if component.get("type") == "object":
            assert component["additionalProperties"] is False, name


def test_scoring_rules_are_described(schema):
    scores = schema["paths"][f"{TENANT}periods/{{period_pk}}/scores/"]["get"]["description"]
    assert "half-up" in scores and "4 places" in scores and "2 places" in scores
    versions = schema["paths"][f"{TENANT}schemes/{{scheme_pk}}/versions/"]["post"]["description"]
    assert "in effect on its first day" in versions and "overlapping teams" in versions
