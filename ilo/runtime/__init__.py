"""Runtime pieces shared by every engine: values, formatting, errors, ownership, builtins.

Nothing here knows which engine is running it.
"""
