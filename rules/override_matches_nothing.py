"""An override in a kustomization that applies to nothing.

## What it finds
An `images` entry whose `name` matches no image of its build, or a patch or replacement whose
target matches no object. kustomize skips such an entry without a word, so the override the
author intended never happens.

## Why it breaks a pull
The image the overlay was meant to set (a private registry's copy, a pinned tag) is not the
one deployed: pods pull the base's image instead, which may not exist, may need other
credentials, or may be the wrong version.

## Example
```yaml
# base: image: registry.acme.io/shop/app:1.4.1
images:
  - name: shop/app          # matches nothing: the base names registry.acme.io/shop/app
    newTag: 1.4.2
```

## Fix
Write the `name` as the base writes the image, without its tag or digest
(`registry.acme.io/shop/app`), or correct the patch's target.
"""

NAME = "override-matches-nothing"
CODE = "IL009"
SEVERITY = "warning"
SCOPE = "input"
SUMMARY = "A kustomize images entry, patch or replacement matches nothing, so it never applies."
