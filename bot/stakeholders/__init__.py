"""Working groups as collective action: whom members represent, and who is missing."""
