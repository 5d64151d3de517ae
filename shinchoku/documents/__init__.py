"""The documents Shinchoku reads and writes: the interchange schema and our own layouts.

``schema`` is the document model every reader produces (``shinchoku.imports``) and
every writer consumes (``shinchoku.reports``, ``shinchoku.publishing``, the portal);
``layouts`` names the sheets, columns and marks of the XLSX and PDF we write and
read back. Both sit below readers and writers, so dependencies point one way:
imports → documents ← reports; nothing here imports either of them.
"""
