"""Writers: the numbered, cited document turned into an output format (HTML pages with search
and a web font; Typst typeset to PDF), with their templates and assets."""
