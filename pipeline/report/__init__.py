"""The findings report: one data model, one set of templates, three formats.

``build_report(study)`` (model.py) gathers everything the report says from the
study's data; ``write_report`` (writers.py) renders HTML, Markdown and DOCX,
runs the leak guard over every text and writes all of them, or nothing.
"""
