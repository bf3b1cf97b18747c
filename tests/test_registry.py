"""Every rule module carries a stable identity and documentation in the agreed shape."""

from __future__ import annotations

import re

import pytest

from imagelint.core.rulebook import all_rules, find

RULES = all_rules()
SECTIONS = ("## What it finds", "## Why it breaks a pull", "## Example", "## Fix")


def test_names_and_codes_are_unique_and_well_formed():
    names = [rule.name for rule in RULES]
    codes = [rule.code for rule in RULES]
    assert len(set(names)) == len(names) and len(set(codes)) == len(codes)
    for rule in RULES:
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.name), rule.name
        assert re.fullmatch(r"IL\d{3}", rule.code), rule.code
    # IL0xx input, IL1xx image references, IL2xx pull secrets, IL3xx registries' answers
    # (online), IL4xx policy and configuration
    families = {
        "IL0": {"input"},
        "IL1": {"image", "run"},
        "IL2": {"run"},
        "IL3": {"run"},
        "IL4": {"image", "input"},
    }
    assert all(rule.scope in families[rule.code[:3]] for rule in RULES)


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_documentation(rule):
    positions = [rule.doc.find(section) for section in SECTIONS]
    assert -1 not in positions and positions == sorted(positions), rule.name
    assert rule.summary.endswith(".")
    assert find(rule.name) is rule and find(rule.code) is rule
    for name in rule.supersedes:
        assert find(name) is not None


def test_supersedes_replaces_the_generic_finding(monkeypatch):
    """A more specific rule's finding on the same image replaces invalid-reference's."""
    from imagelint.core.model import Violation
    from imagelint.running.engine import Engine

    generic = find("invalid-reference")
    specific = generic.replace(
        name="specific",
        code="IL199",
        supersedes=("invalid-reference",),
        image_check=lambda use, settings: (
            iter([Violation("specific reason")]) if use.image == "Bad:1" else iter(())
        ),
    )
    engine = Engine(rules=[generic, specific])
    text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: a, image: 'Bad:1'}, {name: b, image: 'Worse:1'}]}\n"
    report = engine.check_text("x.yaml", text)
    assert [(f.rule, f.image) for f in report.findings] == [
        ("specific", "Bad:1"),
        ("invalid-reference", "Worse:1"),
    ]


def test_options_configure_rules_that_exist():
    from imagelint.core.options import OPTIONS

    for option in OPTIONS:
        for name in option.rules:
            assert find(name) is not None, (option.name, name)
            assert find(name).options[option.name] is option
    for rule in RULES:
        assert all(rule.name in option.rules for option in rule.options.values())


def test_every_rule_is_checked_against_the_contract_of_its_scope():
    """rules/_contract.py lists each rule module under the Protocol of its scope, which is what
    mypy checks; a rule missing there, or under another scope, escapes that check."""
    from imagelint.rules import _contract

    listed = {
        scope: sorted(module.NAME for module in getattr(_contract, scope.upper()))
        for scope in ("input", "image", "run")
    }
    declared = {
        scope: sorted(rule.name for rule in RULES if rule.scope == scope)
        for scope in ("input", "image", "run")
    }
    assert listed == declared


def test_each_scope_has_its_own_check():
    for rule in RULES:
        assert (rule.image_check is not None) == (rule.scope == "image"), rule.name
        assert (rule.run_check is not None) == (rule.scope == "run"), rule.name


def test_the_index_repeats_each_rule_modules_constants():
    """rules/_index.py is what the rulebook reads instead of importing every rule module: an
    entry for every module in rules/, each equal to its module's constants."""
    import importlib
    from pathlib import Path

    from imagelint.rules import _index

    folder = Path(importlib.import_module("imagelint.rules").__file__).parent
    modules = sorted(p.stem for p in folder.glob("*.py") if not p.name.startswith("_"))
    assert sorted(entry.name.replace("-", "_") for entry in _index.RULES) == modules
    for entry in _index.RULES:
        module = importlib.import_module(f"imagelint.rules.{entry.name.replace('-', '_')}")
        declared = (
            module.NAME,
            module.CODE,
            module.SEVERITY,
            module.SCOPE,
            module.SUMMARY,
            getattr(module, "DEFAULT_ENABLED", True),
            getattr(module, "ONLINE", False),
            getattr(module, "FIX", None),
            getattr(module, "NEEDS", None),
        )
        assert entry._field_values(entry) == declared, entry.name
    assert [entry.code for entry in _index.RULES] == sorted(entry.code for entry in _index.RULES)


def test_only_registry_answers_make_a_rule_online():
    """An offline run skips the ONLINE rules: they must be run rules that find nothing without
    the registries' answers (IL3xx)."""
    for rule in RULES:
        assert rule.online == rule.code.startswith("IL3"), rule.name
        assert not rule.online or rule.scope == "run", rule.name


def test_listing_and_selecting_rules_import_no_rule_module():
    import subprocess
    import sys

    code = (
        "import sys; from imagelint.core.selection import select; "
        "from imagelint.core.rulebook import all_rules, find; "
        "all_rules(); find('latest-tag'); select(['ALL']); "
        "print(sorted(m for m in sys.modules if m.startswith('imagelint.rules.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['imagelint.rules._index']"
