"""The release's parts, run by scripts/release.py: build every artifact, then check each one as a
user gets it. `plugin.build_plugin_tarballs` is also what the lifecycle tests build tarballs with.

Imported as `releasing` by scripts/release.py and as `scripts.releasing` from the repository
root (tests): the modules import each other relatively.
"""
