"""The OpenAPI schema, walked whole: no response shape puts a rater's identity next to an answer.

Every component (and every object nested inline in one) that carries an answer-like field (answers, rating,
comment, mean, score, points…) must not carry a rater's or an author's id, name or email. The 360 results name rater
groups (`rater_kind`), never raters; self and supervisor groups are told apart by their kind. The only exceptions
are listed below with the reason, and the list must stay exact.
"""

from __future__ import annotations

import copy
import re

ANSWER = re.compile(r"^(answers?|ratings?|comments?|mean|mean_rating|scores?|points|body)$"
                    r"|_(comments?|rating|score|points)$|^score_")
IDENTITY = re.compile(r"^(rater|rater_(id|name|email)|author|author_(id|name|email)|respondents?|peers?|peer_\w+"
                      r"|customer_(id|name|email|reference)|email|user|user_(id|email|name))$")
# Shapes outside the 360 assessments in which the author is meant to be known.
SIGNED_BY_DESIGN = {
    "AppealComment": "the appeal thread: agents, reviewers and inspectors sign what they write",
}


def _properties(node: dict) -> dict:
    props = dict(node.get("properties") or {})
    for key in ("allOf", "oneOf", "anyOf"):
        for sub in node.get(key, []):
            props.update(_properties(sub))
    return props


def _objects(node, path: str):
    """The component and every object schema nested inline in it, with a path for the message."""
    if not isinstance(node, dict):
        return
    if "properties" in node or any(k in node for k in ("allOf", "oneOf", "anyOf")):
        yield path, node
    for name, value in _properties(node).items():
        yield from _objects(value, f"{path}.{name}")
        if isinstance(value, dict) and isinstance(value.get("items"), dict):
            yield from _objects(value["items"], f"{path}.{name}[]")


def offending(schema: dict) -> dict[str, tuple[set, set]]:
    out = {}
    for name, component in schema["components"]["schemas"].items():
        for path, node in _objects(component, name):
            props = set(_properties(node))
            answers = {p for p in props if ANSWER.search(p)}
            identities = {p for p in props if IDENTITY.search(p)}
            if answers and identities:
                out[path] = (answers, identities)
    return out


def _schema(client_as, cast) -> dict:
    response = client_as(cast.users["admin"]).get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def test_no_component_pairs_a_rater_or_author_with_an_answer(client_as, cast):
    schema = _schema(client_as, cast)
    assert set(offending(schema)) == set(SIGNED_BY_DESIGN)


def test_the_walk_sees_the_answer_shapes_and_would_catch_a_leak(client_as, cast):
    schema = _schema(client_as, cast)
    components = schema["components"]["schemas"]
    # not vacuous: the answer-bearing 360 shapes are walked and hold answer fields, with a rater group at most
    for name, fields in {"AssessmentAnswerInputRequest": {"rating", "comment"},
                         "AssessmentGroupResult": {"mean", "comments"},
                         "AssessmentComment": {"comment"}}.items():
        assert fields <= set(_properties(components[name])), name
    assert "rater_kind" in _properties(components["AssessmentGroupResult"])
    # a rater id added to the results' comments, or a nested author, is caught
    leaky = copy.deepcopy(schema)
    leaky["components"]["schemas"]["AssessmentComment"]["properties"]["rater"] = {"type": "integer"}
    nested = leaky["components"]["schemas"]["AssessmentResult"]["properties"]
    nested["extra"] = {"type": "array", "items": {"type": "object", "properties": {
        "author_email": {"type": "string"}, "rating": {"type": "integer"}}}}
    assert {"AssessmentComment", "AssessmentResult.extra[]"} <= set(offending(leaky))
