"""``kunskapsgraf diff`` and ``reload-model``: what changes between two versions of the model
(ontology, vocabularies, shapes), and which stored items a change would newly reject.

* :mod:`service.diff.versions` reads a version from a folder, a file or a git revision;
* :mod:`service.diff.model` compares two versions term by term and renders Markdown;
* :mod:`service.diff.reload` compares the model in the store with the files before reloading.

Kept free of imports so that :mod:`service.validation.check` can use ``versions`` without a
cycle.
"""
