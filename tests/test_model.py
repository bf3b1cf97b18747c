"""The model's records cross process boundaries: pickling keeps every field."""

from __future__ import annotations

import pickle

import pytest

from imagelint.core.frozen import FrozenFieldError
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
        for name in type(record).__match_args__:
            mine, theirs = getattr(record, name), getattr(copy, name)
            assert repr(mine) == repr(theirs), (type(record).__name__, name)


def test_records_pickle_as_a_call_of_their_class():
    """The stock pickling of a frozen slotted dataclass sets fields back one by one through a
    Python loop: three quarters of the parent's unpickling in a run with workers."""
    for record in _records():
        function, arguments = record.__reduce__()
        assert function is type(record)
        assert function(*arguments) is not record
        assert len(arguments) == len(type(record).__match_args__)


def test_records_are_immutable():
    for record in _records():
        first = type(record).__match_args__[0]
        with pytest.raises(FrozenFieldError):
            setattr(record, first, None)
        with pytest.raises(FrozenFieldError):
            delattr(record, first)
        with pytest.raises(AttributeError):
            record.__dict__  # noqa: B018 (slotted: no instance dictionary)


def test_object_ids_compare_by_value_records_by_identity():
    deployment, finding, *_ = _records()
    same = ObjectId("Deployment", "shop", "web", "apps/v1")
    assert same == deployment and hash(same) == hash(deployment)
    assert same != ObjectId("Deployment", "shop", "web", "apps/v2")
    assert deployment != ("Deployment", "shop", "web", "apps/v1")
    assert finding != finding.with_severity(finding.severity)


def test_reprs_name_every_field_in_order():
    deployment, finding, image, *_ = _records()
    assert repr(deployment) == (
        "ObjectId(kind='Deployment', namespace='shop', name='web', api_version='apps/v1')"
    )
    assert repr(finding) == (
        "Finding(rule='latest-tag', code='IL104', severity=<Severity.WARNING: 2>, path='a.yaml', "
        f"line=3, column=14, message='m', object={deployment!r}, container=None, image=None, "
        "source=None, field=None, via=(), edit=None, fingerprint=None)"
    )
    assert repr(image).startswith("ImageRecord(image='nginx:1', site=Site(path='apps/a.yaml', ")


def test_copies_change_one_field():
    _, finding, image, *_ = _records()
    error = finding.with_severity(Severity.ERROR)
    assert error.severity is Severity.ERROR and finding.severity is Severity.WARNING
    assert repr(error) == repr(finding).replace("<Severity.WARNING: 2>", "<Severity.ERROR: 3>")
    assert isinstance(image, ImageRecord)
    other = image.with_superseded(frozenset({"invalid-reference"}))
    assert other.superseded == frozenset({"invalid-reference"})
    assert repr(other).split("superseded=")[0] == repr(image).split("superseded=")[0]
