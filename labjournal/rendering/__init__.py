"""Rendering: stored outputs and current prose -> page Markdown (nbconvert), figures and charts.

Nothing here knows MkDocs: the site layer asks for a page's Markdown and the files beside it.
"""
