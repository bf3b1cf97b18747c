"""Fixing: the edits that findings carry (:mod:`imagelint.core.fixes`), spliced into the files'
original text byte for byte, verified, and written atomically, or shown as a unified diff.

A document is never dumped again: the composer's marks give each scalar's exact span, the new
value is written in the scalar's own quoting style (or in double quotes when that style cannot
hold it), and everything else of the file stays as it was: comments, indentation, flow and block
style, anchors, separators, line ends, a byte-order mark, a missing final newline.
"""
