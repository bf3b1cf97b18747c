"""Fixing: the edits that findings carry (:mod:`imagelint.core.fixes`), spliced into the files'
original text byte for byte, verified, and written atomically, or shown as a unified diff.

A document is never dumped again: the composer's marks give each scalar's exact span, the new
value is written in the scalar's own quoting style (or in double quotes when that style cannot
hold it, or when a plain value inside a flow collection would become one libyaml refuses: see
:mod:`.flow`), and everything else of the file stays as it was: comments, indentation, flow and
block style, anchors, separators, line ends, a byte-order mark, a missing final newline.

An edit may change an entry beside the scalar it points at rather than the scalar itself (a
pin written into an empty ``digest:`` next to a chart's ``tag``, a kustomize ``newTag: latest``
renamed to ``digest:``): still only scalars are rewritten, a key being one. It may also name the
edits to make otherwise, tried in order until one can be made in the file as it is; nothing is
ever inserted or removed.
"""
