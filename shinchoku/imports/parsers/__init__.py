"""Parsers for the documents our users publish, one module per layout.

Each text parser module exposes ``looks_like(text) -> bool`` (cheap format
detection, used by ``shinchoku.imports.reading``) and ``parse(text, *, source="")``
returning a document of ``shinchoku.documents.schema``. ``parse`` raises
``ImportFormatError`` (source, line, reason) for anything that is not a complete
document in its layout; lines it cannot attribute are returned in ``unplaced``.

- ``goal_declaration_text``: 目標宣言 達成状況報告 flattened from PDF (seed 000);
- ``guideline_progress_text``: the 指針 progress table, tab-separated (seed 004);
- ``sections``: section names in a bullet's trailing parentheses, shared by both.
"""
