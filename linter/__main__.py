from imagelint.cli import script

script()
