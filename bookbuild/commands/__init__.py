"""Commands: `thesis build | status | verify | preview | clean`, and the progress they report."""
