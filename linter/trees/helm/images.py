"""Where a chart's values set images, and the reference each setting renders to.

Charts write an image in one of these ways (read from the templates of widely used charts):

- a whole string, ``image: "repo:tag"`` (or a camelCase ``...Image:`` key), as in containers
  listed in values (``extraContainers``, ``sidecars``);
- a mapping with ``repository`` and ``tag``, optionally ``registry`` and ``digest``
  (``helm create``'s scaffold, Bitnami, cert-manager, Grafana, prometheus-community), under
  a key that says ``image`` (``image``, ``initImage``) or, under any other key, with a
  ``pullPolicy``, ``registry`` or ``digest`` beside it; the registry is
  ``global.imageRegistry`` when set (Bitnami's ``common.images.image`` and Grafana's
  templates let it win over the image's own ``registry``);
- ingress-nginx's mapping, ``registry`` + ``image`` (the name) + ``tag`` + ``digest``, with
  ``global.image.registry`` as the default registry and ``repository``, when set, replacing
  registry and name;
- a mapping with ``name`` instead of ``repository``, under a key that says ``image``.

The tag: an empty ``tag`` renders as Chart.yaml's ``appVersion``, as nearly every chart's
template writes it (``{{ .Values.image.tag | default .Chart.AppVersion }}``; ``v`` before it
when the chart's templates write ``printf "v%s" .Chart.AppVersion``). A tag is taken as
written: Helm prints a number such as ``1.10`` as ``1.1``, which is not modelled. The digest:
Bitnami's and cert-manager's templates write ``@digest`` *instead of* ``:tag``; ingress-nginx's
writes both, as do Grafana's and prometheus-community's for their ``sha`` (``:tag@sha256:sha``)
and Cilium's when ``useDigest`` is true (false: the digest is not used).

Precise rather than noisy: a mapping with no repository (only ``pullPolicy``, or ``tag``
alone), an empty repository, ``repository`` and ``tag`` alone under a key that is no image
(a git source's), a URL (``repository: https://...`` names a chart or git
repository), a value holding ``{{`` (rendered later by ``tpl``) and anything under a mapping
whose ``enabled`` is false (not rendered with these values) make no image.
"""

from __future__ import annotations

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from imagelint.reading.yamlnodes import Mapping, as_mapping, as_sequence, string_value
from imagelint.trees.helm.values import lookup, truth
from imagelint.trees.origins import splice

# A values tree reached through many aliases is walked at most this far.
_MAX_VISITS = 200_000


class ImageSetting:
    """One image a chart's values set: its values path (``controller.image``), the
    reference (a node whose parts name the lines that wrote them) and the pull policy node
    next to it."""

    __slots__ = ("path", "image", "pull_policy", "node")

    def __init__(self, path: str, image: Node, pull_policy: Node | None, node: Node) -> None:
        self.path = path
        self.image = image
        self.pull_policy = pull_policy
        self.node = node  # the setting itself: the mapping, or the whole-string scalar


class Found:
    """What one walk over a chart's values finds: image settings and pull-secret name
    nodes, in the order the values file writes them."""

    __slots__ = ("images", "secrets")

    def __init__(self) -> None:
        self.images: list[ImageSetting] = []
        self.secrets: list[Node] = []


def find_images(
    values: Node | None,
    app_version: Node | None,
    skip: frozenset[str] = frozenset(),
    version_prefix: str = "",
) -> Found:
    """Every image setting and pull-secret name in a chart's (merged) values, in the order
    the values write them (``skip``: top-level keys that are subcharts' sections)."""
    found = Found()
    if not isinstance(values, MappingNode):
        return found
    context = _Context(values, app_version, version_prefix)
    # (node, values path, its key and the mapping holding it; None for a list item or root)
    stack: list[tuple[Node, str, str | None, Mapping | None]] = [(values, "", None, None)]
    visits = 0
    while stack and visits < _MAX_VISITS:
        node, path, name, holder = stack.pop()
        visits += 1
        if name is not None and holder is not None:
            if not _entry(name, node, path, holder, context, found):
                continue  # an image setting, or nothing to look into
        if isinstance(node, SequenceNode):
            stack.extend(
                (item, f"{path}[{index}]", None, None)
                for index, item in reversed(list(enumerate(node.value)))
            )
            continue
        fields = as_mapping(node)
        if fields is None or truth(fields.get("enabled")) is False:
            continue
        entries: list[tuple[Node, str, str | None, Mapping | None]] = []
        for key in fields.keys():
            if not path and key in skip:
                continue
            value = fields.get(key)
            assert value is not None
            entries.append((value, f"{path}.{key}" if path else key, key, fields))
        stack.extend(reversed(entries))
    return found


def _entry(
    name: str, value: Node, path: str, holder: Mapping, context: _Context, found: Found
) -> bool:
    """Take in one entry of a mapping; whether to look inside its value."""
    if name == "imagePullSecrets":
        found.secrets.extend(_secret_names(value))
        return False
    if isinstance(value, MappingNode):
        setting = _mapping_image(name, value, path, context)
        if setting is None:
            return True
        found.images.append(setting)
        found.secrets.extend(_secret_names(Mapping(value).get("pullSecrets")))
        return False
    if isinstance(value, ScalarNode):
        if _is_image_key(name) and _usable(string_value(value)):
            policy = holder.get("imagePullPolicy") or holder.get("pullPolicy")
            found.images.append(ImageSetting(path, value, _text(policy), value))
        return False
    return isinstance(value, SequenceNode)


def _is_image_key(name: str) -> bool:
    """``image``, or a camelCase name ending in ``Image`` (``initImage``, ``kubectlImage``)."""
    return name == "image" or (len(name) > 5 and name.endswith("Image"))


def _usable(text: str | None) -> bool:
    return bool(text) and "{{" not in (text or "") and "://" not in (text or "")


def _text(node: Node | None) -> Node | None:
    """The node, if it is a string."""
    return node if string_value(node) is not None else None


def _filled(node: Node | None) -> Node | None:
    """The node, if it is a non-empty string (an empty registry means none)."""
    return node if string_value(node) else None


class _Context:
    """What composing an image needs beyond its own mapping: the global registries and the
    chart's appVersion."""

    __slots__ = ("global_registry", "default_registry", "app_version", "version_prefix")

    def __init__(self, values: Node, app_version: Node | None, version_prefix: str) -> None:
        self.global_registry = _filled(lookup(values, ["global", "imageRegistry"]))
        self.default_registry = _filled(lookup(values, ["global", "image", "registry"]))
        self.app_version = app_version
        self.version_prefix = version_prefix


# A piece of a composed reference: a value's text and its node, or a separator (node None),
# which belongs to the part before it.
_Piece = tuple[str, Node | None]


def _mapping_image(
    name: str, node: MappingNode, path: str, context: _Context
) -> ImageSetting | None:
    """The image a mapping sets, if it is an image setting."""
    fields = Mapping(node)
    if truth(fields.get("enabled")) is False or _templated(fields):
        return None
    repository = fields.get("repository")
    image_name = fields.get("image")
    imageish = _is_image_key(name)
    pieces: list[_Piece] = []
    both = False  # the template writes ``:tag@digest`` rather than ``@digest``
    if (
        imageish
        and _usable(string_value(image_name))
        and ("registry" in fields or "tag" in fields or context.default_registry is not None)
    ):
        # ingress-nginx: repository, when set, is the whole name; else registry/image.
        if repository is not None and _usable(string_value(repository)):
            pieces.append((str(repository.value), repository))
        else:
            assert image_name is not None
            registry = _filled(fields.get("registry")) or context.default_registry
            pieces.extend(_registry(registry))
            pieces.append((str(image_name.value), image_name))
        both = True
    else:
        if not _usable(string_value(repository)):
            repository = fields.get("name") if imageish and "image" not in fields else None
            if not _usable(string_value(repository)) or not (
                "tag" in fields or "registry" in fields or "digest" in fields
            ):
                return None
        elif not imageish and not any(
            key in fields for key in ("registry", "digest", "pullPolicy")
        ):
            return None  # a repository and a tag alone may be a git source's
        assert repository is not None
        pieces.extend(_registry(context.global_registry or _filled(fields.get("registry"))))
        pieces.append((str(repository.value), repository))
    pieces.extend(_termination(fields, context, both))
    return ImageSetting(path, _compose(pieces), _text(fields.get("pullPolicy")), node)


def _compose(pieces: list[_Piece]) -> Node:
    """The reference, spliced: each value at offset 0 of its node, each separator continuing
    the part before it."""
    spliced: list[tuple[str, Node, int]] = []
    last: Node | None = None
    length = 0
    for text, node in pieces:
        if node is not None:
            spliced.append((text, node, 0))
            last, length = node, len(text)
        elif last is not None:
            spliced.append((text, last, length))
            length += len(text)
    return splice(spliced)


def _templated(fields: Mapping) -> bool:
    """Whether a part of the image is a template (``tpl`` renders it later): no image then,
    rather than one composed without that part."""
    for key in ("registry", "repository", "image", "name", "tag", "digest", "sha"):
        node = fields.get(key)
        if isinstance(node, ScalarNode) and "{{" in str(node.value):
            return True
    return False


def _registry(node: Node | None) -> list[_Piece]:
    """``registry/``, or nothing."""
    text = string_value(node)
    if not text or node is None:
        return []
    return [(text, node), ("/", None)]


def _termination(fields: Mapping, context: _Context, both: bool) -> list[_Piece]:
    """``:tag``, ``@digest`` or ``:tag@digest`` (``@sha256:sha`` for a ``sha``)."""
    tag = fields.get("tag")
    prefix = ""
    if not _tag_text(tag):
        tag, prefix = context.app_version, context.version_prefix
    digest = _text(fields.get("digest"))
    use_digest = truth(fields.get("useDigest"))
    if use_digest is False or not string_value(digest):
        digest = None
    elif use_digest is True:
        both = True
    sha = _text(fields.get("sha"))
    separator = "@"
    if digest is None and sha is not None and string_value(sha):
        digest, both = sha, True
        separator = "@" if sha.value.startswith("sha256:") else "@sha256:"
    result: list[_Piece] = []
    if tag is not None and (digest is None or both):
        result.append((":", None))
        if prefix:  # written by the template: it starts the tag's part, at appVersion
            result.append((prefix, tag))
        result.append((str(tag.value), tag))
    if digest is not None:
        result += [(separator, None), (str(digest.value), digest)]
    return result


def _tag_text(node: Node | None) -> bool:
    """A tag Helm prints as written: a non-empty string or a number."""
    if not isinstance(node, ScalarNode) or not node.value:
        return False
    return string_value(node) is not None or node.value[:1].isdigit()


def _secret_names(node: Node | None) -> list[Node]:
    """Pull-secret names in the two forms charts use: ``[regcred]`` and ``[{name: regcred}]``."""
    names: list[Node] = []
    for item in as_sequence(node):
        entry = as_mapping(item)
        name = entry.get("name") if entry is not None else item
        if _usable(string_value(name)):
            assert name is not None
            names.append(name)
    return names
