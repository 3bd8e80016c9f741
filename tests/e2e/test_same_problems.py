"""The four frameworks answer the same faulty request with the same problem.

One service per framework (``db=none``: the error model does not depend on the storage) is
generated, installed and served by its own ``make run``; the same requests of the hostile
corpus go to each. Their answers are reduced to what must not differ between frameworks (the
status, the problem's member names in order, its ``type``, ``title`` and ``status``, and the
``field`` of each field error) and compared: each framework against the contract's status and
against every other framework. A framework whose template does not speak problem+json yet is
skipped, and not even generated.
"""

from __future__ import annotations

import json

import pytest

from tests.e2e import rawhttp
from tests.e2e.conftest import CATALOGUE, _svcgen
from tests.e2e.corpus import BY_ID, Case
from tests.e2e.harness import GeneratedService

FRAMEWORKS = list(CATALOGUE["framework"].choice_values)

#: One request per fault of the contract's table, and the cases where frameworks drift most.
COMPARED = [
    "utf8-invalid-byte",
    "utf8-bom",
    "raw-nul-in-string",
    "escaped-nul-name",
    "escaped-nul-member-name",
    "lone-high-surrogate",
    "surrogate-member-name",
    "id-past-max",
    "id-text",
    "id-zero",
    "id-arabic-indic-digit",
    "limit-float",
    "limit-and-offset",
    "offset-5000-digits",
    "nested-100000",
    "nested-33-arrays",
    "nested-32-arrays",
    "size-2mb-length",
    "size-2mb-chunked",
    "many-members",
    "long-member-name",
    "content-type-missing",
    "content-type-multipart",
    "content-type-bad-charset",
    "empty-length-0",
    "truncated-string",
    "json-array",
    "missing-name",
    "name-null",
    "every-fault",
    "patch-bad-id-bad-json",
    "patch-absent-bad-member",
    "patch-absent",
    "put-item",
    "options-items",
    "double-slash",
    "below-an-item",
    "path-7kb",
]

#: What must be the same in every framework: (status, member names, type, title, problem
#: status, fields of the field errors).
Shape = tuple[int, tuple[str, ...], object, object, object, tuple[object, ...]]

pytestmark = pytest.mark.xdist_group("same-problems")


def shape(answer: rawhttp.Answer) -> Shape:
    """The parts of an answer that every framework must give alike."""
    try:
        problem = json.loads(answer.body)
    except ValueError:
        problem = None
    if not isinstance(problem, dict):
        return (answer.status, ("<not a JSON object>",), None, None, None, ())
    errors = problem.get("errors") or []
    fields = tuple(e.get("field") if isinstance(e, dict) else e for e in errors)
    return (
        answer.status,
        tuple(problem),
        problem.get("type"),
        problem.get("title"),
        problem.get("status"),
        fields,
    )


@pytest.fixture(scope="session")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Shape]]:
    """framework -> case id -> shape of its answer, for every converted framework."""
    found: dict[str, dict[str, Shape]] = {}
    for framework in FRAMEWORKS:
        root = tmp_path_factory.mktemp(f"same-{framework}")
        service = GeneratedService(framework, "none", root, _svcgen())
        service.generate().check()
        service.install().check()
        with service.serve(LOG_FORMAT="json") as server:
            found[framework] = {
                case_id: shape(rawhttp.send(server.url, BY_ID[case_id].request, f"same-{n}"))
                for n, case_id in enumerate(COMPARED)
            }
    return found


def _expected(case: Case) -> str:
    return f"{case.status}" + (f" {case.fields}" if case.fields is not None else "")


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_same_problem_in_every_framework(
    framework: str, answers: dict[str, dict[str, Shape]]
) -> None:
    mine = answers[framework]
    wrong = [
        f"{case_id}: {mine[case_id]} (the contract: {_expected(BY_ID[case_id])})"
        for case_id in COMPARED
        if mine[case_id][0] != BY_ID[case_id].status
        or mine[case_id][4] != BY_ID[case_id].status
        or (BY_ID[case_id].fields is not None and mine[case_id][5] != BY_ID[case_id].fields)
    ]
    assert not wrong, "answers not as the contract says:\n" + "\n".join(wrong)
    differ = [
        f"{case_id}: {framework} {mine[case_id]} != {other} {theirs[case_id]}"
        for other, theirs in answers.items()
        if other != framework
        for case_id in COMPARED
        if theirs[case_id] != mine[case_id]
    ]
    assert not differ, "frameworks answer the same request differently:\n" + "\n".join(differ)


def test_compared_requests_cover_every_status() -> None:
    """The compared requests hold one of each error status of the contract's table."""
    statuses = {BY_ID[case_id].status for case_id in COMPARED}
    assert statuses == {400, 404, 405, 413, 415, 422}
    assert len(set(COMPARED)) == len(COMPARED)
