"""Which rules run: ``select`` / ``extend-select`` / ``ignore`` by name, code, code prefix or ALL.

``select`` replaces the default set (every rule that is on by default); ``extend-select`` adds to
it; ``ignore`` removes from the result. An unknown name is an error, not a silent no-op.
"""

from __future__ import annotations

from collections.abc import Iterable

from imagelint.core.rulebook import Rule, all_rules


class UnknownRule(ValueError):
    pass


def matching(token: str) -> list[Rule]:
    """The rules a token names: ``ALL``, a rule name, a code (``IL101``) or a code prefix
    (``IL1``, ``IL20``)."""
    token = token.strip()
    rules = all_rules()
    if token.upper() == "ALL":
        return list(rules)
    by_name = [rule for rule in rules if rule.name == token.lower()]
    if by_name:
        return by_name
    code = token.upper()
    if code.startswith("IL") and code[2:].isdigit():
        found = [rule for rule in rules if rule.code.startswith(code)]
        if found:
            return found
    raise UnknownRule(f"unknown rule {token!r}{suggestion(token)} ('imagelint rules' lists them)")


def suggestion(token: str) -> str:
    """'; did you mean 'latest-tag'?' for a misspelt rule name, or nothing."""
    import difflib

    close = difflib.get_close_matches(token.lower(), [rule.name for rule in all_rules()], n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def select(
    select: Iterable[str] | None = None,
    extend_select: Iterable[str] = (),
    ignore: Iterable[str] = (),
) -> list[Rule]:
    chosen: dict[str, Rule]
    if select is None:
        chosen = {rule.name: rule for rule in all_rules() if rule.default_enabled}
    else:
        chosen = {rule.name: rule for token in select for rule in matching(token)}
    chosen.update((rule.name, rule) for token in extend_select for rule in matching(token))
    for token in ignore:
        for rule in matching(token):
            chosen.pop(rule.name, None)
    return sorted(chosen.values(), key=lambda rule: rule.code)
