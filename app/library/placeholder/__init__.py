"""The placeholder painter and music of the demo library: artwork, footage and a chord pad, made from nothing.

``paint`` draws scenes, posters, backdrops and cards (Pillow); ``footage`` turns still pictures into frames with
motion and a time code (PyAV frames, numpy); ``music`` makes the soundtrack (numpy, AAC through ``renditions``).
"""
