import sys

from theorymodel.cli import main

sys.exit(main())
