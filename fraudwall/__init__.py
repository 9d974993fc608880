"""fraudwall: an anti-fraud platform for mobile operators.

The public surface is small: ingest a contract directory into a workspace, run the detector
library over it, and read leads. Everything else lives in the subpackages.
"""

__version__ = "0.1.0"
