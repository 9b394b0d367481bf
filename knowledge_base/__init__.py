"""The solution catalogue: content files, loading and checking (search and editing follow)."""
