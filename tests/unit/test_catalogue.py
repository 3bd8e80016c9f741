"""The catalogue read from copier.yml: questions, choices, coercion and validators."""

from __future__ import annotations

import keyword
import sys

import pytest

from scaffold.catalogue import Catalogue
from scaffold.errors import UsageError
from scaffold.template import template_root


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.load(template_root())


def test_every_framework_choice_has_a_template_and_back(catalogue: Catalogue) -> None:
    templates = {
        path.name
        for path in (template_root() / "templates").iterdir()
        if path.is_dir() and not path.name.startswith("_")
    }
    assert set(catalogue["framework"].choice_values) == templates


def test_subdirectory_is_chosen_by_framework(catalogue: Catalogue) -> None:
    assert catalogue.settings["_subdirectory"] == "templates/{{ framework }}"


def test_package_is_computed_from_the_name(catalogue: Catalogue) -> None:
    package = catalogue["package"]
    assert package.computed
    assert package not in catalogue.askable
    assert catalogue.default_for(package, {"name": "billing-api"}) == "billing_api"


@pytest.mark.parametrize("name", ["a", "svc", "billing-api", "api2", "a" * 50, "x1-y2-z3"])
def test_good_names(catalogue: Catalogue, name: str) -> None:
    assert catalogue.problem_with(catalogue["name"], name, {}) == ""


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("", "empty"),
        ("a" * 51, "at most 50"),
        ("Billing", "lowercase"),
        ("1svc", "start with"),
        ("bad name", "lowercase"),
        ("../x", "lowercase"),
        ("under_score", "lowercase"),
        ("trailing-", "hyphen"),
        ("double--hyphen", "hyphen"),
        ("class", "keyword"),
        ("json", "standard-library"),
        ("email", "standard-library"),
        ("fastapi", "shadow"),
        ("tests", "shadow"),
    ],
)
def test_bad_names_get_a_reason(catalogue: Catalogue, name: str, reason: str) -> None:
    problem = catalogue.problem_with(catalogue["name"], name, {})
    assert reason in problem
    assert "\n" not in problem


def test_no_package_shadows_the_standard_library_or_a_keyword(catalogue: Catalogue) -> None:
    """The reserved list in copier.yml must cover the Python running the tests."""
    reserved = {n for n in sys.stdlib_module_names if not n.startswith("_") and n.islower()}
    reserved |= {k for k in keyword.kwlist + keyword.softkwlist if k.isidentifier() and k != "_"}
    accepted = [
        module
        for module in sorted(reserved)
        if module.islower()
        and not catalogue.problem_with(catalogue["name"], module.replace("_", "-"), {})
    ]
    assert accepted == []


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("true", True), ("Yes", True), ("1", True), ("off", False), ("no", False), (False, False)],
)
def test_bool_coercion(catalogue: Catalogue, raw: object, expected: bool) -> None:
    assert catalogue["metrics"].coerce(raw) is expected


def test_coercion_refuses_bad_values(catalogue: Catalogue) -> None:
    with pytest.raises(UsageError, match="true or false"):
        catalogue["metrics"].coerce("maybe")
    with pytest.raises(UsageError, match="one of"):
        catalogue["db"].coerce("mysql")
    with pytest.raises(UsageError, match="text"):
        catalogue["description"].coerce(["a", "list"])


def test_default_is_rendered_with_earlier_answers(catalogue: Catalogue) -> None:
    assert catalogue.default_for(catalogue["description"], {"name": "shop"}) == "The shop service"


def test_email_validator(catalogue: Catalogue) -> None:
    question = catalogue["author_email"]
    assert catalogue.problem_with(question, "", {}) == ""
    assert catalogue.problem_with(question, "team@example.org", {}) == ""
    assert "not valid" in catalogue.problem_with(question, "not-an-address", {})
