"""The online checks (``--online``): ask each registry, over the /v2/ API, whether every image
exists, with the credentials the pod would use. Nothing here runs unless asked; nothing else in
imagelint opens a socket."""
