"""The document: Pandoc's AST of every chapter, numbered, cross-referenced and cited once for
the whole book, plus the pages the build writes itself (colophon) and the provenance manifest."""
