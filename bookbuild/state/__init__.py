"""State kept between builds: the render memo in `.bookbuild/`, the edition key, and the
atomic publishing of `_book/`."""
