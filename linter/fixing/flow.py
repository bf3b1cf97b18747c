"""Plain scalars inside flow collections (``{name: a, image: app}``, ``[app]``), as the C
composer reads them.

libyaml, the C composer imagelint checks with, follows YAML 1.1 there: a plain scalar in a flow
collection may not hold a ':' followed by anything but a space (``{image: app@sha256:...}``,
``[app:1.0]`` are refused: "found unexpected ':'"), although go-yaml, and so kubectl, reads
them. A fix that brings a ':' into such a scalar (a digest, a ``host:port``, a ``:tag``) would
leave a file libyaml no longer reads; the new value is then written double-quoted instead
(:func:`plain_fits`). Whether a value reads back is asked of the composer itself, not worked
out from character rules. A value libyaml already refused as written keeps its style: the fix
does not make the file any less readable, and the user's quoting is theirs.
"""

from __future__ import annotations

from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

from imagelint.reading.composer import compose
from imagelint.reading.yamlnodes import tag_of

_STR = "tag:yaml.org,2002:str"


def plain_fits(old: str, new: str) -> bool:
    """Whether ``new`` may replace ``old``, a plain scalar of a flow collection, still plain:
    yes when the C composer reads ``new`` back there as the same plain string, or when it did
    not read ``old`` either (a value the user wrote that way, which kubectl reads: its style
    is kept, and the file is no less readable than it was)."""
    return _reads_back(new, as_string=True) or (old != "" and not _reads_back(old))


def _reads_back(value: str, as_string: bool = False) -> bool:
    """Whether the C composer reads ``value`` written plain as an item of a flow sequence and
    as the value of a flow mapping, each time as one plain scalar holding exactly ``value``
    (and, with ``as_string``, resolving to a string)."""
    for probe in (f"[{value}]", f"{{k: {value}}}"):
        nodes, error = compose(probe)
        if error is not None or len(nodes) != 1:
            return False
        collection = nodes[0]
        if isinstance(collection, SequenceNode) and len(collection.value) == 1:
            scalar = collection.value[0]
        elif isinstance(collection, MappingNode) and len(collection.value) == 1:
            scalar = collection.value[0][1]
        else:
            return False
        if not isinstance(scalar, ScalarNode) or scalar.style or scalar.value != value:
            return False
        if as_string and tag_of(scalar) != _STR:
            return False
    return True
