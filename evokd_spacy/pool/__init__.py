"""Unlabelled pool documents: reading, scoring by the student, selection strategies (ELAD).

Importing this package registers nothing heavy; the strategies are found through the
`spacy_misc` entry points (see setup.py).
"""
