"""The club contact's pages: children shared with their club under consent."""
