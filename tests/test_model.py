"""The model's records cross process boundaries: pickling keeps every field."""

from __future__ import annotations

import dataclasses
import pickle

from imagelint.core.model import (
    Credential,
    Finding,
    ImageRecord,
    NameRef,
    ObjectId,
    PodRecord,
    RegistryEntry,
    SecretRecord,
    ServiceAccountRecord,
    Severity,
    Site,
)


def _records() -> list[object]:
    site = Site("apps/a.yaml", 3, 14, True, "chart/templates/a.yaml")
    deployment = ObjectId("Deployment", "shop", "web", "apps/v1")
    ref = NameRef("regcred", site, deployment, "spec.template.spec.imagePullSecrets[0].name")
    pod = PodRecord(deployment, "shop", (ref,), "builder", site, ("arm64",), ("linux",), "x")
    entry = RegistryEntry("ghcr.io", "ghcr.io", Credential("u", "p"), False, None)
    return [
        deployment,
        Finding("latest-tag", "IL104", Severity.WARNING, "a.yaml", 3, 14, "m", deployment),
        ImageRecord("nginx:1", site, deployment, "web", "f", False, pod, frozenset({"x"})),
        ref,
        pod,
        ServiceAccountRecord(deployment, (ref,)),
        SecretRecord(
            "regcred",
            "shop",
            "Secret",
            "kubernetes.io/dockerconfigjson",
            frozenset({".dockerconfigjson"}),
            (entry,),
            (("bad", site),),
            deployment,
            site,
            site,
        ),
    ]


def test_records_survive_pickling_field_for_field():
    for record in _records():
        copy = pickle.loads(pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL))
        assert type(copy) is type(record)
        for field in dataclasses.fields(record):
            mine, theirs = getattr(record, field.name), getattr(copy, field.name)
            assert repr(mine) == repr(theirs), (type(record).__name__, field.name)


def test_records_pickle_as_a_call_of_their_class():
    """The stock pickling of a frozen slotted dataclass sets fields back one by one through a
    Python loop: three quarters of the parent's unpickling in a run with workers."""
    for record in _records():
        function, arguments = record.__reduce__()
        assert function is type(record)
        assert function(*arguments) is not record
        assert len(arguments) == len(dataclasses.fields(record))
