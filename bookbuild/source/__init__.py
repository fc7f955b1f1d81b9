"""Sources: `.qmd` files parsed into front matter, markdown, cells and inline expressions."""
