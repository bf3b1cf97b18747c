"""``imagelint diagnose``: why a pull is failing in a cluster, from what the cluster says.

The stages: :mod:`dump` reads what ``kubectl get pods,events,nodes,serviceaccounts,secrets -o
yaml|json`` prints (:mod:`jsonstream` one object at a time), :mod:`pods` finds the containers
waiting on a pull, :mod:`events` the error behind each, :mod:`causes` classifies it in the
runtimes' own words, :mod:`explain` runs imagelint's rules on those pods (and, with
``--online``, asks the registries), :mod:`steps` says what fixes it and :mod:`report` writes it
out. :mod:`kubectl` runs ``kubectl get`` for ``--cluster``.
"""
