import sys

from imagelint.cli import main

sys.exit(main())
