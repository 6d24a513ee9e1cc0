"""Coding: segments get codes from the codebook by rules, a classifier and humans."""
