"""lowincome-monitor: the nightly pipeline that finds low-income people the safety net misses.

The public entry points are the CLI (`pipelines.cli`) and the stage functions in
`pipelines.stages`; everything else is internal.
"""

__version__ = "0.1.0"
