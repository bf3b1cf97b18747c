"""The Secrets of a run as records: which objects make Secrets (Secret, SealedSecret,
ExternalSecret, carvel SecretImport), their type and keys, and the registry entries of docker
config secrets (read by :mod:`imagelint.pullsecrets.dockerconfig`)."""

from __future__ import annotations

from collections.abc import Iterator

from imagelint.core.model import DOCKER_SECRET_TYPES, RegistryEntry, SecretRecord, Site
from imagelint.kube.objects import KubeObject
from imagelint.pullsecrets.dockerconfig import decode_base64, parse_docker_config
from imagelint.reading.loader import LoadedFile
from imagelint.reading.yamlnodes import Mapping, as_mapping, as_sequence, string_value

CARVEL_PLACEHOLDER = "secretgen.carvel.dev/image-pull-secret"


def secret_records(loaded: LoadedFile, obj: KubeObject) -> Iterator[SecretRecord]:
    """The Secret an object is or will make, if it makes one."""
    group, kind = obj.group, obj.kind
    if kind == "Secret" and group == "":
        yield _secret(loaded, obj)
    elif kind == "SealedSecret" and group == "bitnami.com":
        yield _sealed_secret(loaded, obj)
    elif kind == "ExternalSecret" and group == "external-secrets.io":
        yield _external_secret(loaded, obj)
    elif kind == "SecretImport" and group == "secretgen.carvel.dev":
        yield _record(loaded, obj, obj.name, "SecretImport", None, None, None, ())


def _name_site(loaded: LoadedFile, obj: KubeObject) -> Site:
    node = obj.metadata.get("name") if obj.metadata is not None else None
    return loaded.site(node if node is not None else obj.mapping.node, obj.document.source)


def _record(
    loaded: LoadedFile,
    obj: KubeObject,
    name: str | None,
    origin: str,
    type_: str | None,
    keys: frozenset[str] | None,
    entries: tuple[RegistryEntry, ...] | None,
    problems: tuple[tuple[str, Site], ...],
    data_site: Site | None = None,
) -> SecretRecord:
    return SecretRecord(
        name or "",
        obj.namespace or "",
        origin,
        type_,
        keys,
        entries,
        problems,
        obj.identity,
        _name_site(loaded, obj),
        data_site,
    )


def _secret(loaded: LoadedFile, obj: KubeObject) -> SecretRecord:
    type_ = obj.mapping.text("type") or "Opaque"
    data = as_mapping(obj.mapping.get("data"))
    plain = as_mapping(obj.mapping.get("stringData"))
    keys = frozenset(data.keys() if data else ()) | frozenset(plain.keys() if plain else ())
    key = DOCKER_SECRET_TYPES.get(type_)
    if key is None or key not in keys:
        return _record(loaded, obj, obj.name, "Secret", type_, keys, (), ())
    managed = obj.metadata is not None and _has_annotation(obj.metadata, CARVEL_PLACEHOLDER)
    from_plain = plain is not None and key in plain  # stringData wins over data
    holder = plain if from_plain else data
    assert holder is not None  # the key is one of data's or stringData's
    node = holder.get(key)
    assert node is not None
    site = loaded.site(node, obj.document.source)
    if managed:  # a placeholder the secretgen controller fills in
        return _record(loaded, obj, obj.name, "Secret", type_, keys, None, (), site)
    text = string_value(node)
    if text is None:
        return _record(
            loaded,
            obj,
            obj.name,
            "Secret",
            type_,
            keys,
            (),
            ((f"{key} is not a string", site),),
            site,
        )
    if from_plain:
        raw = text.encode("utf-8")
    else:
        decoded = decode_base64(text)
        if decoded is None:
            problem = f"data {key} is not valid base64, so the API server refuses the Secret"
            return _record(
                loaded, obj, obj.name, "Secret", type_, keys, (), ((problem, site),), site
            )
        raw = decoded
    entries, problems = parse_docker_config(raw, legacy=key == ".dockercfg")
    found = tuple((f"{key} {problem}", site) for problem in problems)
    return _record(loaded, obj, obj.name, "Secret", type_, keys, entries, found, site)


def _has_annotation(metadata: Mapping, key: str) -> bool:
    notes = as_mapping(metadata.get("annotations"))
    return notes is not None and key in notes


def _sealed_secret(loaded: LoadedFile, obj: KubeObject) -> SecretRecord:
    spec = as_mapping(obj.mapping.get("spec"))
    template = as_mapping(spec.get("template")) if spec else None
    type_ = (template.text("type") if template else None) or "Opaque"
    encrypted = as_mapping(spec.get("encryptedData")) if spec else None
    keys = frozenset(encrypted.keys()) if encrypted else frozenset()
    return _record(loaded, obj, obj.name, "SealedSecret", type_, keys, None, ())


def _external_secret(loaded: LoadedFile, obj: KubeObject) -> SecretRecord:
    spec = as_mapping(obj.mapping.get("spec"))
    target = as_mapping(spec.get("target")) if spec else None
    template = as_mapping(target.get("template")) if target else None
    name = (target.text("name") if target else None) or obj.name
    type_ = (template.text("type") if template else None) or "Opaque"
    keys: frozenset[str] | None = None  # keys fetched with dataFrom are unknown offline
    template_data = as_mapping(template.get("data")) if template else None
    if template_data is not None:
        keys = frozenset(template_data.keys())
    elif spec is not None and "dataFrom" not in spec:
        items = [as_mapping(item) for item in as_sequence(spec.get("data"))]
        keys = frozenset(k for item in items if item and (k := item.text("secretKey")))
    return _record(loaded, obj, name, "ExternalSecret", type_, keys, None, ())
