"""``imagelint rules --format json``: every rule as data, for tools and editors."""

from __future__ import annotations

import json
from typing import Any

from imagelint.core.rulebook import Rule, all_rules


def rule_dict(rule: Rule) -> dict[str, Any]:
    return {
        "code": rule.code,
        "name": rule.name,
        "severity": rule.severity.label,
        "enabledByDefault": rule.default_enabled,
        "online": rule.online,
        "fix": rule.fix,
        "summary": rule.summary,
        "options": {key: option.value() for key, option in rule.options.items()},
        "doc": rule.doc,
    }


def rules_json() -> str:
    """``{"version": 1, "rules": [...]}``, in code order."""
    document = {"version": 1, "rules": [rule_dict(rule) for rule in all_rules()]}
    return json.dumps(document, indent=2, ensure_ascii=False)
