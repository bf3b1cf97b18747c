"""Run the online rules on registry answers given by the test (no network)."""

from __future__ import annotations

from imagelint.core.model import Settings
from imagelint.online.answers import Answer, Answers
from imagelint.running.engine import Engine


def answering(by_image: dict[str, Answer]):
    """An online step that answers for each image string from ``by_image``."""

    def step(run, records):
        answers = Answers()
        for record in run.images if records is None else records:
            if record.image in by_image:
                answers.set(record, by_image[record.image])
        return answers

    return step


def online_findings(text: str, rule: str, by_image: dict[str, Answer], **options):
    engine = Engine(Settings(options=options), online=answering(by_image))
    return [f for f in engine.check_text("test.yaml", text).findings if f.rule == rule]


def answer(outcome: str, reference: str = "ghcr.io/acme/api:1.4.2", **fields) -> Answer:
    name = reference.partition("@")[0]
    if "@" not in reference:
        name = reference.rpartition(":")[0]
    registry = fields.pop("registry", name.partition("/")[0])
    return Answer(outcome, registry, reference, name, **fields)
