"""The parts of ``bench/api_paths.py``: the data it loads (:mod:`.data`) and the real server it
measures, with its HTTP clients and CPU meters (:mod:`.server`)."""
